using System.Net.Sockets;
using RemoteLogin.Bench.Matrix;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>The daemon as a user runs it: a child process that prints its address and drains on SIGTERM.</summary>
public class DaemonLifecycleTests
{
    [Fact]
    public async Task Sigterm_stops_accepting_echoes_what_was_received_and_exits_0()
    {
        using var daemon = DaemonProcess.Start(["--echo", "naive"]);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(daemon.Endpoint);
        var typed = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        await client.SendAsync(typed);
        var first = new byte[1];
        Assert.Equal(1, await client.ReceiveAsync(first)); // the session is being served

        int exitCode = daemon.Stop(TimeSpan.FromSeconds(30));

        var echoed = new List<byte>(first);
        var buffer = new byte[8192];
        int received;
        while ((received = await client.ReceiveAsync(buffer)) > 0)
        {
            echoed.AddRange(buffer.AsSpan(0, received));
        }
        Assert.Equal(0, exitCode);
        Assert.Equal(typed, echoed.ToArray());
        using var late = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(daemon.Endpoint));
    }

    [Fact]
    public async Task One_session_that_resets_leaves_the_others_echoing()
    {
        using var daemon = DaemonProcess.Start(["--echo", "pipelined"]);
        using var steady = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await steady.ConnectAsync(daemon.Endpoint);
        using (var rude = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await rude.ConnectAsync(daemon.Endpoint);
            await rude.SendAsync(new byte[100_000]);
            rude.LingerState = new LingerOption(true, 0); // close with RST over unread echoes
        }

        var echo = new byte[3];
        await steady.SendAsync("abc"u8.ToArray());
        for (int got = 0; got < 3;)
        {
            got += await steady.ReceiveAsync(echo.AsMemory(got));
        }
        Assert.Equal("abc"u8.ToArray(), echo);
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(30)));
    }
}
