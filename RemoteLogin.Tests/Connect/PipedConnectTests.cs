using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Tests.Support;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Connect;

/// <summary><c>connect</c> with standard input piped (the scriptable mode), as a real child process against real servers.</summary>
public class PipedConnectTests
{
    private const string Client = "RemoteLogin.Client";

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Random_bytes_piped_in_come_back_exactly_from_a_socat_echo()
    {
        using var echo = await SocatEcho.StartAsync();
        var typed = new byte[6 * 1024];
        new Random(4).NextBytes(typed);

        var run = await ChildRun.RunAsync(ChildStart.Sibling(Client, ["connect", "127.0.0.1", Text(echo.Port)]), ChildInput.Bytes(typed));

        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal(typed, run.Output);
        Assert.Contains("connection closed by 127.0.0.1", run.StandardError);
        Assert.Matches(@"connect: \d+ keystroke round trips, p50 \d+(\.\d+)? µs, p99 \d+(\.\d+)? µs", run.StandardError);
    }

    [Fact]
    public async Task A_line_piped_in_is_printed_back()
    {
        using var echo = await SocatEcho.StartAsync();
        var run = await ChildRun.RunAsync(ChildStart.Sibling(Client, ["connect", "127.0.0.1", Text(echo.Port)]), ChildInput.Bytes("hello\n"u8.ToArray()));
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal("hello\n"u8.ToArray(), run.Output);
    }

    /// <summary>A scripted telnet server echoes the wire as is, which is valid telnet: what was typed comes back undone of its escapes.</summary>
    [Fact]
    public async Task Telnet_escapes_survive_the_round_trip()
    {
        using var listener = Listen();
        var typed = new byte[4 * 1024];
        new Random(854).NextBytes(typed);
        typed[0] = Iac;
        typed[1] = Cr;

        var running = ChildRun.RunAsync(ChildStart.Sibling(Client, ["connect", "127.0.0.1", Text(Port(listener)), "--protocol", "telnet"]), ChildInput.Bytes(typed));
        using var server = await listener.AcceptAsync();
        await server.SendAsync(new byte[] { Iac, Dont, Linemode, Iac, Will, Echo, Iac, Will, SuppressGoAhead });
        var answer = await EchoClient.ReceiveExactlyAsync(server, 6);
        Assert.Equal([Iac, Do, Echo, Iac, Do, SuppressGoAhead], answer);
        await EchoToEndAsync(server, received => received);
        var run = await running;

        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal(typed, run.Output);
    }

    /// <summary>A scripted rlogin server accepts, asks for the window size with urgent data, and echoes the rest.</summary>
    [Fact]
    public async Task Rlogin_answers_the_urgent_request_with_a_window_size_and_echoes()
    {
        using var listener = Listen();
        var typed = new byte[4 * 1024];
        new Random(1282).NextBytes(typed);

        var sink = new WindowSink();
        // Input ends only once the window size is in: after its end of file the client can send nothing more.
        var running = ChildRun.RunAsync(
            ChildStart.Sibling(Client, ["connect", "127.0.0.1", Text(Port(listener)), "--protocol", "rlogin"]),
            ChildInput.Stream(async stdin =>
            {
                await stdin.WriteAsync(typed);
                await stdin.FlushAsync();
                await sink.SizeSeen.Task;
            }));
        using var server = await listener.AcceptAsync();
        var handshake = new RloginHandshake();
        var first = new byte[1];
        var status = RloginHandshakeStatus.NeedMore;
        while (status == RloginHandshakeStatus.NeedMore)
        {
            Assert.Equal(1, await server.ReceiveAsync(first));
            status = handshake.Read(first, out _);
        }
        Assert.Equal(RloginHandshakeStatus.Complete, status);
        Assert.EndsWith("/38400", handshake.TerminalSpeed);
        await server.SendAsync(new byte[] { 0 });
        await server.SendAsync(new byte[] { RloginClient.SendWindowSize | RloginClient.RawMode }, SocketFlags.OutOfBand);

        var filter = new RloginWindowFilter();
        // The window-size message is the server's, not data: only what the filter lets through is echoed.
        await EchoToEndAsync(server, received =>
        {
            int before = sink.Data.Count;
            filter.Read(received, sink);
            return sink.Data.Skip(before).ToArray();
        });
        filter.Flush(sink);
        var run = await running;

        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal(typed, sink.Data.ToArray());
        Assert.Equal(typed, run.Output);
        var size = Assert.Single(sink.Sizes); // not a terminal: the size reported is the default 24×80
        Assert.Equal((24, 80), size);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_gives_one_line_naming_it_and_exit_1()
    {
        int port;
        using (var listener = Listen())
        {
            port = Port(listener);
        }
        var run = await ChildRun.RunAsync(Client, "connect", "127.0.0.1", Text(port));
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"connect: cannot connect to 127.0.0.1:{port}:", line);
    }

    [Fact]
    public async Task A_server_that_does_not_speak_telnet_fails_the_opening_with_exit_1()
    {
        using var echo = await SocatEcho.StartAsync();
        var run = await ChildRun.RunAsync(Client, "connect", "127.0.0.1", Text(echo.Port), "--protocol", "telnet", "--open-timeout", "0.5");
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("telnet: the server did not offer ECHO", line);
    }

    [Theory]
    [InlineData("HOST", "connect")]
    [InlineData("PORT", "connect", "127.0.0.1", "70000")]
    [InlineData("PORT", "connect", "127.0.0.1", "http")]
    [InlineData("--protocol", "connect", "127.0.0.1", "--protocol", "ssh")]
    [InlineData("--open-timeout", "connect", "127.0.0.1", "--open-timeout", "-1")]
    public async Task Bad_arguments_give_one_line_naming_the_argument_and_exit_2(string named, params string[] arguments)
    {
        var run = await ChildRun.RunAsync(Client, arguments);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains(named, line);
    }

    private static Socket Listen()
    {
        var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    private static int Port(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    /// <summary>Sends back what <paramref name="toEcho"/> makes of every read until the client's end of file, then closes.</summary>
    private static async Task EchoToEndAsync(Socket server, Func<byte[], byte[]> toEcho)
    {
        using var limit = new CancellationTokenSource(EchoClient.SafetyLimit);
        var buffer = new byte[8192];
        int received;
        while ((received = await server.ReceiveAsync(buffer, SocketFlags.None, limit.Token)) > 0)
        {
            await server.SendAsync(toEcho(buffer.AsSpan(0, received).ToArray()), SocketFlags.None, limit.Token);
        }
        server.Shutdown(SocketShutdown.Both);
    }

    private sealed class WindowSink : IRloginSink
    {
        public List<byte> Data { get; } = [];

        public List<(int Rows, int Columns)> Sizes { get; } = [];

        void IRloginSink.Data(ReadOnlySpan<byte> data) => Data.AddRange(data);

        public TaskCompletionSource SizeSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void WindowSize(ushort rows, ushort columns, ushort xPixels, ushort yPixels)
        {
            Sizes.Add((rows, columns));
            SizeSeen.TrySetResult();
        }
    }
}
