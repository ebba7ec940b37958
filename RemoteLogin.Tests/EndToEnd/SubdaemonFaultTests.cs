using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Native;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Tests.Support;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// The process and relay models when their children fail: one killed, one that cannot start, all of them at SIGTERM,
/// and a run of logins that must leave nothing behind. The daemon runs as a real process; /proc tells what it holds.
/// </summary>
[SupportedOSPlatform("linux")]
public class SubdaemonFaultTests(ITestOutputHelper output)
{
    /// <summary>A safety limit for waits, never a claim about how fast anything is.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("process")]
    [InlineData("relay")]
    public async Task A_killed_child_closes_its_own_session_and_the_others_keep_echoing(string subdaemon)
    {
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", "batched"]);
        using var first = await EchoClient.ConnectAsync(daemon.Endpoint);
        using var second = await EchoClient.ConnectAsync(daemon.Endpoint);
        var before = ProcFs.ChildrenOf(daemon.ProcessId);
        Assert.Equal(2, before.Count);
        using var third = await EchoClient.ConnectAsync(daemon.Endpoint);
        // The third session's child is the one child started since the second session echoed.
        var victim = Assert.Single(ProcFs.ChildrenOf(daemon.ProcessId), c => !before.Any(b => b.ProcessId == c.ProcessId));

        using (var child = Process.GetProcessById(victim.ProcessId))
        {
            child.Kill(); // SIGKILL: no chance to close anything itself
        }

        Assert.Equal(0, await EchoClient.ReceiveOrResetAsync(third, new byte[16]));
        Assert.True(await EventuallyAsync(() => !ProcFs.Exists(victim)), $"the killed child {victim.ProcessId} was not reaped");
        await EchoClient.AssertEchoesAsync(first, RandomBytes(4096, seed: 1));
        await EchoClient.AssertEchoesAsync(second, RandomBytes(4096, seed: 2));
        Assert.Equal(2, ProcFs.ChildrenOf(daemon.ProcessId).Count);
        Assert.Equal(0, daemon.Stop(Generous));
        LoggedEvents.AssertNoneFailed(LoggedEvents.Of(daemon, output));
    }

    public enum StartFault
    {
        /// <summary>Neither the apphost nor the assembly is there any more.</summary>
        Missing,
        /// <summary>The apphost lost its execute bits: exec fails with EACCES.</summary>
        NotExecutable,
        /// <summary>Something starts, but exits at once without connecting back.</summary>
        ExitsAtOnce,
    }

    [Theory]
    [InlineData("process", StartFault.Missing)]
    [InlineData("process", StartFault.NotExecutable)]
    [InlineData("process", StartFault.ExitsAtOnce)]
    [InlineData("relay", StartFault.Missing)]
    [InlineData("relay", StartFault.NotExecutable)]
    [InlineData("relay", StartFault.ExitsAtOnce)]
    public async Task A_child_that_cannot_start_costs_only_its_own_session(string subdaemon, StartFault fault)
    {
        using var build = DaemonBuild.CopyBesideTests();
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", "naive"], programDirectory: build.Directory);
        using var existing = await EchoClient.ConnectAsync(daemon.Endpoint);

        int unservedPort;
        using (build.Break(fault)) // the running daemon has what it needs loaded; only its children are affected
        {
            using var unserved = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await unserved.ConnectAsync(daemon.Endpoint);
            unservedPort = ((IPEndPoint)unserved.LocalEndPoint!).Port;
            Assert.Empty(await EchoClient.ReceiveToEndAsync(unserved)); // a FIN and not a byte; a reset would throw
            await EchoClient.AssertEchoesAsync(existing, RandomBytes(2048, seed: 3));
            // A child that did start and exit is reaped: only the existing session's child is left.
            Assert.True(await EventuallyAsync(() => ProcFs.ChildrenOf(daemon.ProcessId).Count == 1), "the failed child was not reaped");
        }

        using var later = await EchoClient.ConnectAsync(daemon.Endpoint); // the daemon kept serving
        await EchoClient.AssertEchoesAsync(later, RandomBytes(2048, seed: 4));
        await EchoClient.AssertEchoesAsync(existing, RandomBytes(2048, seed: 5));
        Assert.Equal(0, daemon.Stop(Generous));
        var events = LoggedEvents.Of(daemon, output);
        LoggedEvents.AssertNoneFailed(events);
        var notStarted = (SessionEnded)Assert.Single(events, e => e is SessionEnded { End.Started: false });
        Assert.Equal(unservedPort, (notStarted.Peer as IPEndPoint)?.Port);
        if (fault == StartFault.ExitsAtOnce)
        {
            Assert.Contains("code 3", notStarted.End.NotStartedBecause); // the child's own exit code, not a guess
        }
    }

    [Theory]
    [InlineData("process")]
    [InlineData("relay")]
    public async Task Sigterm_drains_every_session_and_leaves_no_child_behind(string subdaemon)
    {
        const int Sessions = 5;
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", "pipelined", "--drain-timeout", "60"]);
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < Sessions; i++)
            {
                clients.Add(await EchoClient.ConnectAsync(daemon.Endpoint));
            }
            var children = ProcFs.ChildrenOf(daemon.ProcessId);
            Assert.Equal(Sessions, children.Count);
            Assert.DoesNotContain(children, c => c.IsZombie);

            // One segment each (loopback's MSS is far larger): once its first byte is echoed, the daemon has all of it.
            var typed = Enumerable.Range(0, Sessions).Select(i => RandomBytes(16_000, seed: 10 + i)).ToArray();
            var firsts = new byte[Sessions];
            for (int i = 0; i < Sessions; i++)
            {
                await clients[i].SendAsync(typed[i]);
                Assert.Equal(1, await EchoClient.ReceiveOrResetAsync(clients[i], firsts.AsMemory(i, 1)));
            }

            Posix.Terminate(daemon.ProcessId);
            var rests = await Task.WhenAll(clients.Select(EchoClient.ReceiveToEndAsync)); // a reset would throw

            Assert.Equal(0, daemon.WaitForExit(Generous));
            for (int i = 0; i < Sessions; i++)
            {
                Assert.Equal(typed[i], (byte[])[firsts[i], .. rests[i]]);
            }
            Assert.Empty(ProcFs.ChildrenOf(daemon.ProcessId));
            foreach (var child in children)
            {
                var now = ProcFs.Stat(child.ProcessId);
                Assert.False(now is not null && now.StartTime == child.StartTime,
                    $"child {child.ProcessId} outlived the daemon, in state {now?.State}");
            }
            var events = LoggedEvents.Of(daemon, output);
            LoggedEvents.AssertNoneFailed(events);
            Assert.DoesNotContain(events, e => e is DrainTimedOut);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [InlineData("task")]
    [InlineData("thread")]
    [InlineData("process")]
    [InlineData("relay")]
    public async Task Many_logins_leave_no_descriptor_and_no_child_behind(string subdaemon)
    {
        // A leak of one descriptor or child per login shows after any number of them; the count is for the races of
        // logins overlapping. Under process and relay each login launches a .NET runtime (tens of ms of CPU): 300 of
        // them hold the suite's minutes down and still overlap at every stage of a launch.
        int logins = subdaemon is "process" or "relay" ? 300 : 1000;
        const int Concurrency = 4;
        using var daemon = DaemonProcess.Start(["--subdaemon", subdaemon, "--echo", "naive"]);
        await LoginOnceAsync(daemon.Endpoint); // warm-up: whatever the runtime opens once, it has opened now
        var baseline = await SettledAsync(daemon.ProcessId);

        var clock = Stopwatch.StartNew();
        int started = 0;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref started) <= logins)
            {
                await LoginOnceAsync(daemon.Endpoint);
            }
        })));
        clock.Stop();
        output.WriteLine($"{subdaemon}: {logins} logins, {Concurrency} at a time, in {clock.Elapsed.TotalSeconds:0.0} s");

        bool settled = await EventuallyAsync(() =>
            SessionDescriptors(daemon.ProcessId).Count == baseline.Count && ProcFs.ChildrenOf(daemon.ProcessId).Count == 0);
        var now = SessionDescriptors(daemon.ProcessId);
        Assert.True(settled,
            $"after {logins} logins the daemon holds {now.Count} descriptors (was {baseline.Count}) "
            + $"and has {ProcFs.ChildrenOf(daemon.ProcessId).Count} children (was 0):\n"
            + string.Join('\n', now.Except(baseline).Select(d => $"+ {d}").Concat(baseline.Except(now).Select(d => $"- {d}"))));
        Assert.Equal(0, daemon.Stop(Generous));
        LoggedEvents.AssertNoneFailed(LoggedEvents.Of(daemon, output));
    }

    /// <summary>Connect, send one byte, read its echo, then end the session the polite way: FIN, read to EOF, close.</summary>
    private static async Task LoginOnceAsync(IPEndPoint endpoint)
    {
        using var limit = new CancellationTokenSource(Generous);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(endpoint, limit.Token);
        await client.SendAsync("x"u8.ToArray(), SocketFlags.None, limit.Token);
        var echo = new byte[1];
        Assert.Equal(1, await client.ReceiveAsync(echo, SocketFlags.None, limit.Token));
        Assert.Equal((byte)'x', echo[0]);
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await client.ReceiveAsync(echo, SocketFlags.None, limit.Token));
    }

    /// <summary>
    /// The daemon's descriptors, less the assemblies it has loaded: the runtime keeps an assembly open for the rest of
    /// the process's life from whenever it first needs it (tiered recompilation of hot code loads some late), and a
    /// session opens none of them.
    /// </summary>
    private static IReadOnlyList<ProcFs.Descriptor> SessionDescriptors(int processId) =>
        ProcFs.Descriptors(processId).Where(d => !d.Target.EndsWith(".dll", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The daemon's descriptors once the last session has let go of them: no children left, and the same descriptors
    /// over several looks in a row (a session's last close may come just after its client saw EOF).
    /// </summary>
    private static async Task<IReadOnlyList<ProcFs.Descriptor>> SettledAsync(int daemonProcessId)
    {
        const int SameLooks = 5;
        IReadOnlyList<ProcFs.Descriptor> last = [];
        int same = 0;
        bool settled = await EventuallyAsync(() =>
        {
            if (ProcFs.ChildrenOf(daemonProcessId).Count != 0)
            {
                same = 0;
                return false;
            }
            var now = SessionDescriptors(daemonProcessId);
            same = now.SequenceEqual(last) ? same + 1 : 1;
            last = now;
            return same == SameLooks;
        });
        Assert.True(settled, "the daemon did not settle after its warm-up session");
        return last;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Generous)
            {
                return false;
            }
            await Task.Delay(100);
        }
        return true;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A private copy of the daemon's build, so that a test can break it under a running daemon: the files
    /// RemoteLogin.Server.deps.json says it runs on, its apphost and its runtime config, and nothing else.
    /// </summary>
    private sealed class DaemonBuild : IDisposable
    {
        private const string Name = "RemoteLogin.Server";

        private DaemonBuild(string directory) => Directory = directory;

        public string Directory { get; }

        private string AppHost => Path.Combine(Directory, Name);

        private string Assembly => Path.Combine(Directory, Name + ".dll");

        public static DaemonBuild CopyBesideTests()
        {
            string source = AppContext.BaseDirectory;
            var build = new DaemonBuild(System.IO.Directory.CreateTempSubdirectory("remotelogin-daemon-").FullName);
            try
            {
                var files = new HashSet<string> { Name, Name + ".dll", Name + ".deps.json", Name + ".runtimeconfig.json" };
                using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(source, Name + ".deps.json")));
                foreach (var target in deps.RootElement.GetProperty("targets").EnumerateObject())
                {
                    foreach (var library in target.Value.EnumerateObject())
                    {
                        if (library.Value.TryGetProperty("runtime", out var runtime))
                        {
                            files.UnionWith(runtime.EnumerateObject().Select(asset => Path.GetFileName(asset.Name)));
                        }
                    }
                }
                foreach (string file in files)
                {
                    string from = Path.Combine(source, file), to = Path.Combine(build.Directory, file);
                    File.Copy(from, to);
                    File.SetUnixFileMode(to, File.GetUnixFileMode(from));
                }
                return build;
            }
            catch
            {
                build.Dispose();
                throw;
            }
        }

        /// <summary>Break the build the way <paramref name="fault"/> says; disposing the result repairs it.</summary>
        public IDisposable Break(StartFault fault)
        {
            switch (fault)
            {
                case StartFault.Missing:
                    File.Move(AppHost, AppHost + ".away");
                    File.Move(Assembly, Assembly + ".away");
                    return new Repair(() =>
                    {
                        File.Move(AppHost + ".away", AppHost);
                        File.Move(Assembly + ".away", Assembly);
                    });
                case StartFault.NotExecutable:
                    var mode = File.GetUnixFileMode(AppHost);
                    File.SetUnixFileMode(AppHost, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                    return new Repair(() => File.SetUnixFileMode(AppHost, mode));
                case StartFault.ExitsAtOnce:
                    File.Move(AppHost, AppHost + ".away");
                    File.WriteAllText(AppHost, "#!/bin/sh\nexit 3\n");
                    File.SetUnixFileMode(AppHost, File.GetUnixFileMode(AppHost + ".away"));
                    return new Repair(() =>
                    {
                        File.Delete(AppHost);
                        File.Move(AppHost + ".away", AppHost);
                    });
                default:
                    throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
            }
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

        private sealed class Repair(Action repair) : IDisposable
        {
            public void Dispose() => repair();
        }
    }
}
