using System.Net.Sockets;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Native;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Tests.Support;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>The daemon as a user runs it: a child process that prints its address and drains on SIGTERM.</summary>
public class DaemonLifecycleTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("task", "naive")]
    [InlineData("thread", "naive")]
    [InlineData("thread", "pipelined")]
    [InlineData("thread", "zerocopy")]
    public async Task Sigterm_stops_accepting_echoes_what_was_received_and_exits_0(string subdaemon, string echo)
    {
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", echo]);
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
        // The drain reads nothing more, so what the kernel still held is not echoed; everything read is, in order.
        Assert.Equal(typed[..echoed.Count], echoed.ToArray());
    }

    public static TheoryData<string, string, bool> EveryModel()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (bool paste in new[] { false, true })
        {
            foreach (var (model, echo) in new[] { ("task", "naive"), ("task", "zerocopy"), ("task", "pipelined"), ("thread", "naive"), ("thread", "zerocopy"), ("thread", "pipelined"), ("process", "batched"), ("process", "zerocopy"), ("relay", "naive"), ("relay", "zerocopy") })
            {
                data.Add(model, echo, paste);
            }
        }
        return data;
    }

    /// <summary>
    /// A client that types (16 bytes a millisecond) or pastes (as fast as it can) and reads throughout, and stops only
    /// at the daemon's FIN. A drain by shutdown(SHUT_RD) alone reads on for as long as a paste lasts, since Linux
    /// still queues what arrives; a close over unread input resets the connection and drops the echoes still queued.
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryModel))]
    public async Task A_client_typing_through_sigterm_gets_every_echo_of_what_was_read_then_a_fin(string subdaemon, string echo, bool paste)
    {
        // A drain timeout far past the test's own liveness bound: a session that reads on is caught reading, not aborted.
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", echo, "--drain-timeout", "600"]);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(daemon.Endpoint);
        static byte Typed(long i) => (byte)(i * 7 + 3);
        using var stopTyping = new CancellationTokenSource();
        var typing = Task.Run(async () =>
        {
            var chunk = new byte[paste ? 256 * 1024 : 16];
            for (long sent = 0; !stopTyping.IsCancellationRequested; sent += chunk.Length)
            {
                for (int i = 0; i < chunk.Length; i++)
                {
                    chunk[i] = Typed(sent + i);
                }
                await client.SendAsync(chunk, SocketFlags.None);
                if (!paste)
                {
                    await Task.Delay(1);
                }
            }
        });

        long echoed = 0;
        var buffer = new byte[64 * 1024];
        bool stopped = false;
        int received;
        using var liveness = new CancellationTokenSource(Eventually.Generous * 2);
        var started = System.Diagnostics.Stopwatch.StartNew();
        while ((received = await client.ReceiveAsync(buffer, SocketFlags.None, liveness.Token)) > 0) // a reset throws here and fails the test
        {
            for (int i = 0; i < received; i++, echoed++)
            {
                Assert.True(buffer[i] == Typed(echoed), $"echo byte {echoed} is not the byte typed there");
            }
            // Pacing, not a verdict: a paste that has run a second has filled every queue on the way, so the daemon's input never runs dry.
            if (!stopped && echoed >= 1024 && (!paste || started.Elapsed > TimeSpan.FromSeconds(1)))
            {
                stopped = true;
                Posix.Terminate(daemon.ProcessId); // the client types on: it stops at the FIN
            }
        }
        // A typist that has not noticed the end yet types on for a moment: the daemon's linger reads and discards it.
        // A session that closed at once (or shut its read side down) would answer with a reset, failing a send here.
        await Task.Delay(300);
        stopTyping.Cancel();
        await typing;
        client.Shutdown(SocketShutdown.Send); // as a client does at the end of its session: the daemon's linger sees the FIN

        Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.True(stopped, "the session ended before SIGTERM");
        var events = LoggedEvents.Of(daemon, output);
        LoggedEvents.AssertNoneFailed(events);
        Assert.DoesNotContain(events, e => e is LingerExpired or SessionAborted);
    }

    [Fact]
    public async Task While_a_session_drains_no_new_connection_is_accepted()
    {
        using var daemon = DaemonProcess.Start(["--echo", "zerocopy", "--drain-timeout", "120"]);
        var stubborn = await StubbornClientAsync(daemon);

        Posix.Terminate(daemon.ProcessId);
        await RefusedAsync(daemon);

        Assert.False(daemon.HasExited); // the stubborn session is still being drained
        stubborn.Dispose(); // its echoes can never be delivered now: the session ends, and with it the daemon
        Assert.Equal(0, daemon.WaitForExit(TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData("task", "zerocopy", true)]
    [InlineData("task", "pipelined", true)]
    [InlineData("task", "batched", true)]
    // Under the thread model a stuck session sometimes ends by itself soon after SIGTERM instead of waiting for the
    // abort, not explained yet (issue 3); there the test holds the daemon to exiting 0 only.
    [InlineData("thread", "zerocopy", false)]
    [InlineData("thread", "pipelined", false)]
    [InlineData("thread", "batched", false)]
    public async Task A_session_that_cannot_finish_does_not_keep_the_daemon_from_exiting_0(string subdaemon, string echo, bool aborted)
    {
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", echo, "--drain-timeout", "0.5"]);
        using var stubborn = await StubbornClientAsync(daemon);

        int exitCode = daemon.Stop(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
        var events = LoggedEvents.Of(daemon, output);
        LoggedEvents.AssertNoneFailed(events);
        if (aborted)
        {
            Assert.Contains(new DrainTimedOut(1, TimeSpan.FromSeconds(0.5)), events);
        }
    }

    [Fact]
    public async Task A_connection_over_max_sessions_is_closed_at_once_and_the_others_keep_echoing()
    {
        using var daemon = DaemonProcess.Start(["--echo", "batched", "--max-sessions", "2"]);
        using var first = await EchoClient.ConnectAsync(daemon.Endpoint);
        using var second = await EchoClient.ConnectAsync(daemon.Endpoint);

        using var third = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await third.ConnectAsync(daemon.Endpoint);
        var buffer = new byte[16];
        int received;
        try
        {
            received = await third.ReceiveAsync(buffer);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            received = 0;
        }

        Assert.Equal(0, received); // closed without a byte of service
        await EchoClient.AssertEchoesAsync(first, "still here"u8.ToArray());
        await EchoClient.AssertEchoesAsync(second, "me too"u8.ToArray());
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// A client that sends far more than the buffers hold and never reads an echo. Once the echoes have filled every
    /// buffer back to the client, its session cannot finish; the daemon's own byte counter, read over EventPipe,
    /// says when that is: it stops moving while the client still has bytes to send.
    /// </summary>
    private static async Task<Socket> StubbornClientAsync(DaemonProcess daemon)
    {
        // A counter counts from when a listener subscribes: subscribe before the first byte.
        using var counters = new DaemonCounters(daemon.ProcessId, TimeSpan.FromSeconds(0.2), MeterSnapshot.Meters);
        var snapshot = counters.NextAfter(DateTime.UtcNow, TimeSpan.FromSeconds(30));
        var stubborn = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await stubborn.ConnectAsync(daemon.Endpoint);
        var sending = stubborn.SendAsync(new byte[256 << 20].AsMemory(), SocketFlags.None).AsTask();
        _ = sending.ContinueWith(_ => { }, TaskScheduler.Default);

        string echoed = MeterSnapshot.Key(MeterSnapshot.ServerMeter, "remotelogin.server.bytes.echoed", "");
        double before = -1, now;
        while (true)
        {
            snapshot = counters.NextAfter(snapshot.IntervalEnd, TimeSpan.FromSeconds(30));
            now = snapshot.Values.GetValueOrDefault(echoed);
            if (now > 0 && now == before)
            {
                break;
            }
            before = now;
        }
        Assert.False(sending.IsCompleted); // the client still has bytes to send: the session is stuck, not done
        return stubborn;
    }

    private static async Task RefusedAsync(DaemonProcess daemon)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(daemon.Endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                return; // refused, or reset from the backlog of a listener that closed before accepting it
            }
            await Task.Delay(50);
        }
        Assert.Fail("the daemon still accepts connections after SIGTERM");
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
