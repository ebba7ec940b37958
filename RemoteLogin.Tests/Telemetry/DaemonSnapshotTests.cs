using System.Diagnostics;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>
/// The daemon's on-demand snapshot (--control-stdin), asked of real daemon processes as the bench asks: it counts
/// exactly what the echo did between two of them, and leaves out what answering costs.
/// </summary>
public class DaemonSnapshotTests
{
    private const int Bytes = 1000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly byte[] Hello = "hello"u8.ToArray();

    [Theory]
    [InlineData("task", 1)]
    [InlineData("thread", 1)]
    [InlineData("process", 1)]
    // The child copies each byte in and out; the daemon relays it to the child and back: two more each way.
    [InlineData("relay", 3)]
    public async Task Snapshots_around_1000_naive_echoes_count_each_call_and_copy(string subdaemon, int copiesEachWay)
    {
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", "naive"], controlStdin: true);
        // An echo first: the session, and its child if it has one, is up before the first snapshot.
        using var client = await EchoClient.ConnectAsync(daemon.Endpoint);
        var start = await CountedAsync(daemon, Hello.Length, copiesEachWay);

        var one = new byte[1];
        for (int i = 0; i < Bytes; i++)
        {
            one[0] = (byte)('a' + i % 26);
            await EchoClient.AssertEchoesAsync(client, one); // one byte at a time, each waiting for its echo
        }
        var end = await CountedAsync(daemon, Hello.Length + Bytes, copiesEachWay);

        var echo = DaemonSnapshot.EchoBetween(start, end);
        Assert.Equal(Bytes, echo.BytesReceived);
        Assert.Equal(Bytes, echo.BytesEchoed);
        Assert.Equal(Bytes, echo.ReceiveCalls);
        Assert.Equal(Bytes, echo.SendCalls);
        Assert.Equal(new CopiedBytes(copiesEachWay * Bytes, copiesEachWay * Bytes, 0), echo.Copied);
        var server = DaemonSnapshot.ServerCost(start, end);
        Assert.Equal(echo.Copied, server.Copied);
        var children = DaemonSnapshot.SubdaemonsCost(start, end);
        if (subdaemon is "process" or "relay")
        {
            Assert.NotNull(children);
            Assert.True(children.CpuMicros > 0, $"the children echoed {Bytes} bytes on no CPU: {children}");
            // The daemon's own part may read a microsecond below nothing (it only accepted): no order between the two, only the sum.
            Assert.Equal((end.Daemon - start.Daemon).CpuMicros + children.CpuMicros, server.CpuMicros);
            Assert.Equal((end.Daemon - start.Daemon).VoluntaryContextSwitches + children.VoluntaryContextSwitches, server.VoluntaryContextSwitches);
        }
        else
        {
            Assert.Null(children);
            Assert.True(server.CpuMicros > 0, $"the daemon echoed {Bytes} bytes on no CPU: {server}");
        }
        Assert.Equal(0, daemon.Stop(Patience));
    }

    /// <summary>
    /// Formatting one reply allocates at least the reply twice over (a string of it, UTF-16); an idle daemon allocates
    /// next to nothing (0 bytes over 50 replies, seen). So 50 replies counted as the daemon's would show 100 replies'
    /// worth at least (130 KB seen, against a bound of 20 KB): the bound of 50 replies' worth holds only if the
    /// responder's own allocations are left out, and leaves room for whatever else the runtime does.
    /// </summary>
    [Theory]
    [InlineData("task")]
    [InlineData("process")] // the children are asked on the responder's thread too
    public async Task Back_to_back_snapshots_of_an_idle_daemon_leave_out_what_answering_allocates(string subdaemon)
    {
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", "naive"], controlStdin: true);
        using var client = await EchoClient.ConnectAsync(daemon.Endpoint); // under process, a live child to ask
        await CountedAsync(daemon, Hello.Length, copiesEachWay: 1);
        for (int i = 0; i < 5; i++)
        {
            daemon.Snapshot(Patience); // the first replies also compile the code and build the serializer's metadata
        }

        var first = daemon.Snapshot(Patience);
        var last = first;
        for (int i = 0; i < 50; i++)
        {
            last = daemon.Snapshot(Patience);
        }

        long replyBytes = last.ToReply().Length;
        long allocated = last.Daemon.AllocatedBytes - first.Daemon.AllocatedBytes;
        var cost = last.Daemon - first.Daemon;
        Assert.True(allocated < 50 * replyBytes, $"50 idle snapshots allocated {allocated} bytes, a reply is {replyBytes} characters");
        Assert.True(allocated >= 0, $"more was left out than the daemon allocated: {allocated} bytes");
        // Each request wakes the responder from its read, about once: 50 counted would show as about 50 (seen 51 and
        // 52 with the responder counted); the idle daemon's other threads hardly wake (0 to 6 seen). Half of it divides them.
        Assert.True(cost.VoluntaryContextSwitches < 25, $"50 idle snapshots cost the daemon {cost.VoluntaryContextSwitches} voluntary context switches");
        Assert.Equal(0, daemon.Stop(Patience));
    }

    [Fact]
    public async Task Closing_stdin_ends_the_responder_quietly_and_the_daemon_serves_on()
    {
        using var daemon = DaemonProcess.Start(["--echo", "naive"], controlStdin: true);
        daemon.Snapshot(Patience);
        Assert.Contains(SnapshotResponder.ThreadName, ProcFs.ThreadNames(daemon.ProcessId));

        daemon.CloseControl();

        await Eventually.AssertAsync(() => !ProcFs.ThreadNames(daemon.ProcessId).Contains(SnapshotResponder.ThreadName), "the responder thread ended");
        using var client = await EchoClient.ConnectAsync(daemon.Endpoint);
        await EchoClient.AssertEchoesAsync(client, "still serving"u8.ToArray());
        Assert.False(daemon.HasExited);
        Assert.Throws<InvalidOperationException>(() => daemon.Snapshot(Patience));
        Assert.Equal(0, daemon.Stop(Patience));
        Assert.Equal("", daemon.StandardErrorAfterExit());
    }

    [Fact]
    public async Task An_unknown_request_gets_an_error_line_and_the_next_snapshot_its_answer()
    {
        using var daemon = ChildProcess.Start(ChildStart.Sibling("RemoteLogin.Server", ["--listen", "127.0.0.1:0", "--control-stdin"]));
        Assert.StartsWith("listening on ", await ReadLineAsync(daemon));
        await daemon.Input.WriteLineAsync("snapshot please");
        await daemon.Input.WriteLineAsync("");
        await daemon.Input.WriteLineAsync(DaemonSnapshot.Request);
        await daemon.Input.FlushAsync();

        Assert.StartsWith($"{DaemonSnapshot.ErrorPrefix}unknown request 'snapshot please'", await ReadLineAsync(daemon));
        Assert.StartsWith($"{DaemonSnapshot.ErrorPrefix}unknown request ''", await ReadLineAsync(daemon));
        var snapshot = DaemonSnapshot.FromReply(await ReadLineAsync(daemon));
        Assert.Null(snapshot.Subdaemons); // the task model has no children
        Assert.True(snapshot.Daemon.CpuMicros > 0);
        Assert.Throws<FormatException>(() => DaemonSnapshot.FromReply("error unknown request 'x'"));
    }

    [Fact]
    public void A_snapshot_of_a_daemon_that_died_says_so()
    {
        using var daemon = DaemonProcess.Start(["--echo", "naive"], controlStdin: true);
        using (var process = Process.GetProcessById(daemon.ProcessId))
        {
            process.Kill();
            process.WaitForExit();
        }

        var e = Assert.Throws<DaemonGoneException>(() => daemon.Snapshot(Patience));
        Assert.Contains("exited with code 137", e.Message);
        Assert.Contains("stderr", e.Message);
    }

    [Fact]
    public void A_daemon_started_without_control_stdin_is_not_asked()
    {
        using var daemon = DaemonProcess.Start(["--echo", "naive"]);
        var e = Assert.Throws<InvalidOperationException>(() => daemon.Snapshot(Patience));
        Assert.Contains("controlStdin", e.Message);
    }

    /// <summary>
    /// A snapshot once the echo of byte <paramref name="echoed"/> is counted everywhere: the echo is counted just after
    /// its send returns, so the client may see it a moment before the daemon has counted it. The counts only grow, so
    /// what the test then asserts is exact.
    /// </summary>
    private static async Task<DaemonSnapshot> CountedAsync(DaemonProcess daemon, long echoed, int copiesEachWay)
    {
        DaemonSnapshot? snapshot = null;
        await Eventually.AssertAsync(() =>
        {
            snapshot = daemon.Snapshot(Patience);
            return snapshot.Echo.BytesEchoed >= echoed && snapshot.Echo.Copied.OutOfUser >= copiesEachWay * echoed;
        }, $"the daemon counted {echoed} bytes echoed");
        return snapshot!;
    }

    private static async Task<string> ReadLineAsync(ChildProcess daemon) =>
        await daemon.ReadLineAsync(Patience) ?? throw daemon.Failed("closed its stdout");
}
