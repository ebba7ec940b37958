using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Tests.Support;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// The daemon out of descriptors, made so by prlimit(1) on the running daemon alone: a zerocopy session that gets its
/// socket but no pipe echoes by copying and says so; an accept that fails backs off with one log line, and the
/// connection waiting in the backlog is served once descriptors free up.
/// </summary>
public class DescriptorExhaustionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Out_of_descriptors_a_session_copies_the_accept_loop_backs_off_and_both_recover()
    {
        // The runtime's debugger thread waits in open(2) on its FIFO, and the kernel has given that open its descriptor
        // number already though /proc shows none: without the debugger every number /proc shows free is free.
        using var daemon = DaemonProcess.Start(["--subdaemon", "task", "--echo", "zerocopy"], new Dictionary<string, string> { ["DOTNET_EnableDiagnostics_Debugger"] = "0" });
        int sockets = Sockets(daemon.ProcessId);
        using (var warm = await ConnectAsync(daemon))
        {
            await AssertEchoesAsync(warm, "warm"u8.ToArray()); // every descriptor the runtime opens for a session is open now
        }
        await Eventually.AssertAsync(() => Sockets(daemon.ProcessId) == sockets, "the warm session's socket is closed");

        // Room for exactly one more descriptor: the accept takes it, the pipe then has none.
        string limits = Prlimit(daemon.ProcessId, null);
        Prlimit(daemon.ProcessId, $"{LowestFree(DaemonDescriptors(daemon.ProcessId)) + 1}:{HardLimit(limits)}");
        var starved = Stopwatch.StartNew();
        using var copying = await ConnectAsync(daemon);
        await AssertEchoesAsync(copying, "no pipe, still an echo"u8.ToArray());

        // None left: this one waits in the backlog while the accept loop backs off.
        using var waiting = await ConnectAsync(daemon);
        await waiting.SendAsync("queued"u8.ToArray(), SocketFlags.None);
        await Task.Delay(300); // pacing: let the loop fail a few times
        Assert.False(daemon.HasExited, $"the daemon died out of descriptors:\n{(daemon.HasExited ? daemon.StandardErrorAfterExit() : "")}");
        Prlimit(daemon.ProcessId, $"{SoftLimit(limits)}:{HardLimit(limits)}");
        starved.Stop();
        await AssertEchoesAsync(waiting, [], alreadySent: "queued"u8.ToArray());
        await AssertEchoesAsync(copying, "and again"u8.ToArray());

        copying.Shutdown(SocketShutdown.Send);
        waiting.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(30)));
        var events = LoggedEvents.Of(daemon, output);
        Assert.Single(events.OfType<ZeroCopyUnavailable>());
        Assert.Contains("Too many open files", events.OfType<ZeroCopyUnavailable>().Single().Reason);
        // The first failure is logged at once, then at most a line an interval however long the shortage lasts.
        Assert.InRange(events.OfType<AcceptFailed>().Count(), 1, 1 + (int)(starved.Elapsed / LoginDaemon.AcceptLogInterval));
        Assert.Contains(events, e => e is AcceptRecovered { Failures: > 0 });
        Assert.DoesNotContain(events, e => e is SessionEnded { End.Echo.Kind: not Server.Sessions.EchoEndKind.Completed });
    }

    private static int Sockets(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd").Count(path => new FileInfo(path).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);

    private static async Task<Socket> ConnectAsync(DaemonProcess daemon)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(daemon.Endpoint);
        return client;
    }

    private static async Task AssertEchoesAsync(Socket client, byte[] typed, byte[]? alreadySent = null)
    {
        if (typed.Length > 0)
        {
            await client.SendAsync(typed, SocketFlags.None);
        }
        byte[] expected = [.. alreadySent ?? [], .. typed];
        Assert.Equal(expected, await EchoClient.ReceiveExactlyAsync(client, expected.Length));
    }

    private static SortedSet<int> DaemonDescriptors(int pid) =>
        [.. Directory.GetFiles($"/proc/{pid}/fd").Select(path => int.Parse(Path.GetFileName(path)))];

    private static int LowestFree(SortedSet<int> open)
    {
        int fd = 0;
        while (open.Contains(fd))
        {
            fd++;
        }
        return fd;
    }

    private static string SoftLimit(string limits) => limits.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];

    private static string HardLimit(string limits) => limits.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    /// <summary>Read ("SOFT HARD") or set the daemon's RLIMIT_NOFILE with util-linux's prlimit.</summary>
    private static string Prlimit(int pid, string? set)
    {
        var start = new ProcessStartInfo("prlimit") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--pid", pid.ToString(), set is null ? "--nofile" : $"--nofile={set}", "--noheadings", "--output", "SOFT,HARD"])
        {
            start.ArgumentList.Add(argument);
        }
        using var prlimit = Process.Start(start)!;
        string text = prlimit.StandardOutput.ReadToEnd();
        string error = prlimit.StandardError.ReadToEnd();
        prlimit.WaitForExit();
        Assert.True(prlimit.ExitCode == 0, $"prlimit {set}: {error}");
        return text.Trim();
    }
}
