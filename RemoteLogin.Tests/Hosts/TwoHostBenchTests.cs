using System.Text.Json;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Hosts;

/// <summary>
/// The bench across emulated lab hosts (issue 14): the daemon on one network namespace reached over ssh, the typists
/// spread over the bench's own host and another namespace, every echo checked, the daemon host's counters read there.
/// </summary>
public sealed class TwoHostBenchTests
{
    private const string DaemonAlias = "labd";
    private const string LoadAlias = "labl";

    [Fact]
    public async Task A_two_host_quick_run_keeps_every_echo_and_reads_the_daemon_host_there()
    {
        using var lab = new EmulatedLab();
        using var scratch = new ScratchDirectory("two-hosts");
        string[] arguments =
        [
            "--quick", "--out", scratch.Path, "--seed", "14", "--ssh-config", lab.ConfigFile,
            "--daemon-host", DaemonAlias, "--load-hosts", $"local,{LoadAlias}",
            "--subdaemons", "task,thread", "--strategies", "naive,zerocopy", "--protocols", "raw", "--scenarios", "interactive,typists", "--typists", "10",
        ];
        // The first publish for the lab hosts is a whole self-contained Release build: minutes on 2 cores.
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench", arguments), limit: TimeSpan.FromMinutes(20));
        var left = lab.RemoteLoginProcesses();

        Assert.True(outcome.ExitCode == 0, outcome.StandardError + outcome.StandardOutput);
        Assert.Empty(left); // every daemon, client, floor and companion ended with the bench, on every host
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(scratch.Path, "results.json")));
        var root = json.RootElement;
        Assert.Equal(DaemonAlias, root.GetProperty("settings").GetProperty("daemonHost").GetString());
        // One build on every host: the lab publish, run here too.
        Assert.StartsWith("publish ", root.GetProperty("settings").GetProperty("build").GetString());

        var daemonMachine = root.GetProperty("daemonMachine");
        Assert.True(daemonMachine.GetProperty("machine").GetProperty("cpuCount").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(daemonMachine.GetProperty("environment").GetProperty("kernel").GetString()));
        var network = daemonMachine.GetProperty("network");
        Assert.Equal("eth0", network.GetProperty("interface").GetString()); // the namespace's end of its veth, found by the address
        Assert.Equal("veth", network.GetProperty("driver").GetString());
        // Floors over the path: the blocking one measured in every run, through the bridge.
        Assert.True(root.GetProperty("floors").GetProperty("blocking").GetProperty("rttMicros").GetProperty("p50").GetDouble() > 0);

        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(2 * 2 * 2, runs.Count);
        foreach (var run in runs)
        {
            string name = $"{run.GetProperty("scenario")} {run.GetProperty("strategy")} {run.GetProperty("subdaemon")}";
            Assert.False(run.GetProperty("failed").GetBoolean(), name);
            var integrity = run.GetProperty("integrity");
            Assert.Equal(0, integrity.GetProperty("lost").GetInt64() + integrity.GetProperty("duplicated").GetInt64() + integrity.GetProperty("corrupted").GetInt64());
            long chars = run.GetProperty("chars").GetInt64();
            Assert.Equal(chars, run.GetProperty("rttMicros").GetProperty("count").GetInt64());

            // Read on the daemon's host, at the edges of the timed pass.
            var remote = run.GetProperty("remoteSystem");
            Assert.Equal("eth0", remote.GetProperty("interface").GetString());
            Assert.True(remote.GetProperty("netRxSoftirqs").GetInt64() > 0, name);
            Assert.Equal(JsonValueKind.Null, remote.GetProperty("nicInterrupts").ValueKind); // a veth has no hardware interrupt
            if (run.GetProperty("scenario").GetString() == "interactive")
            {
                // One keystroke in flight at a time: each arrives in a segment of its own.
                Assert.True(remote.GetProperty("rxPackets").GetInt64() >= chars, $"{name}: {remote}");
            }
            // Other processes watched there too; the run's own programs (the daemon among them) are not "other".
            Assert.Equal(JsonValueKind.Number, run.GetProperty("daemonHostOtherCpuPercent").ValueKind);
            // Counted there too: perf on the daemon and its meter over EventPipe.
            Assert.True(run.GetProperty("server").GetProperty("syscalls").GetInt64() > 0, name);
            Assert.True(run.GetProperty("serverMeter").EnumerateObject().Any(), name);

            if (run.GetProperty("scenario").GetString() == "typists")
            {
                var hosts = run.GetProperty("hosts").EnumerateArray().ToList();
                Assert.Equal(["local", LoadAlias], hosts.Select(h => h.GetProperty("host").GetString()!));
                Assert.Equal(run.GetProperty("sessions").GetInt32(), hosts.Sum(h => h.GetProperty("sessions").GetInt32()));
                // The merged histogram holds every host's samples, added, not averaged.
                Assert.Equal(chars, hosts.Sum(h => h.GetProperty("rttMicros").GetProperty("count").GetInt64()));
                Assert.Equal(JsonValueKind.Null, hosts[0].GetProperty("environment").ValueKind); // the bench's own: described at the top
                Assert.True(hosts[1].GetProperty("environment").GetProperty("machine").GetProperty("cpuCount").GetInt32() > 0);
                foreach (var host in hosts)
                {
                    Assert.True(File.Exists(Path.Combine(scratch.Path, host.GetProperty("histogramLog").GetString()!)));
                }
            }
            else
            {
                Assert.False(run.TryGetProperty("hosts", out var none) && none.ValueKind != JsonValueKind.Null, name);
            }
        }
    }

    [Fact]
    public async Task A_daemon_host_with_no_ssh_server_is_named_in_one_line()
    {
        using var lab = new EmulatedLab(sshdOnDaemonHost: false);
        using var scratch = new ScratchDirectory("two-hosts-refused");
        var outcome = await ChildRun.RunAsync(
            ChildStart.Sibling("RemoteLogin.Bench", ["--quick", "--ssh-config", lab.ConfigFile, "--daemon-host", DaemonAlias, "--out", scratch.Path]),
            limit: TimeSpan.FromMinutes(2));

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"bench: {DaemonAlias}: ", line);
        Assert.Contains("refused", line);
    }

    [Fact]
    public async Task A_daemon_that_dies_on_its_host_in_the_middle_of_a_run_stops_the_bench_with_its_name_and_leaves_nothing_behind()
    {
        using var lab = new EmulatedLab();
        using var scratch = new ScratchDirectory("two-hosts-died");
        using var bench = ChildProcess.Start(ChildStart.Sibling("RemoteLogin.Bench",
        [
            "--ssh-config", lab.ConfigFile, "--daemon-host", DaemonAlias, "--out", scratch.Path,
            "--subdaemons", "thread", "--strategies", "naive", "--protocols", "raw", "--scenarios", "interactive",
        ]));
        var stdout = bench.Output.ReadToEndAsync();

        // Killed from outside, as a crash would end it, while a client types to it: SIGKILL to the daemon itself, on its host.
        int? daemon = null;
        Assert.True(await Eventually.HoldsAsync(() => LoadClientTyping(lab.DaemonAddress) && (daemon = lab.DaemonOnItsHost()) is not null, TimeSpan.FromMinutes(5)),
            "no client typed to a daemon on the lab host");
        System.Diagnostics.Process.GetProcessById(daemon!.Value).Kill();
        Assert.True(await Task.Run(() => bench.WaitForExit(TimeSpan.FromMinutes(3))), "the bench went on after its daemon died");
        var left = lab.RemoteLoginProcesses();

        Assert.True(bench.ExitCode == 1, bench.StandardError + await stdout);
        Assert.Contains($"the daemon on {DaemonAlias}", bench.StandardError);
        Assert.Empty(left);
    }

    /// <summary>Whether a load client on this machine is typing to <paramref name="daemon"/>.</summary>
    private static bool LoadClientTyping(System.Net.IPAddress daemon) => Directory.EnumerateDirectories("/proc").Any(folder =>
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ').Contains($"RemoteLogin.Client load --host {daemon} ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone meanwhile, or not a process
        }
    });

    /// <summary>
    /// Two emulated hosts, each a namespace on one bridge with its own sshd, and one ssh_config naming them
    /// <see cref="DaemonAlias"/> and <see cref="LoadAlias"/>.
    /// </summary>
    private sealed class EmulatedLab : IDisposable
    {
        private readonly LabNetwork _network;
        private readonly List<TestSshd> _servers = [];
        private readonly string _directory = Path.Combine(Path.GetTempPath(), $"remotelogin-lab-{Guid.NewGuid():N}");

        public EmulatedLab(bool sshdOnDaemonHost = true)
        {
            Assert.True(LabNetwork.Unavailable() is null, LabNetwork.Unavailable());
            _network = LabNetwork.Create(hosts: 2);
            Directory.CreateDirectory(_directory);
            ConfigFile = Path.Combine(_directory, "ssh_config");
            try
            {
                var config = new System.Text.StringBuilder();
                foreach (var (host, alias) in _network.Hosts.Zip([DaemonAlias, LoadAlias]))
                {
                    if (alias == DaemonAlias && !sshdOnDaemonHost)
                    {
                        // The host is there and answers, but nothing listens on its ssh port.
                        config.AppendLine($"Host {alias}\n    HostName {host.Address}\n    Port 22\n    StrictHostKeyChecking yes\n    UserKnownHostsFile /dev/null");
                        continue;
                    }
                    var sshd = TestSshd.Start(host.Address, host.Namespace);
                    _servers.Add(sshd);
                    config.AppendLine(File.ReadAllText(sshd.ConfigFile).Replace($"Host {TestSshd.Alias}", $"Host {alias}", StringComparison.Ordinal));
                }
                File.WriteAllText(ConfigFile, config.ToString());
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string ConfigFile { get; }

        public System.Net.IPAddress DaemonAddress => _network.Hosts[0].Address;

        /// <summary>The daemon itself on the daemon's host (not its tether, whose command line names it too), or null.</summary>
        public int? DaemonOnItsHost() => Processes(_network.Hosts[0].Namespace)
            .Where(p => p.Command.Contains("RemoteLogin.Server --listen", StringComparison.Ordinal) && !p.Command.Contains(" tether ", StringComparison.Ordinal))
            .Select(p => (int?)p.Id).FirstOrDefault();

        private static IEnumerable<(int Id, string Command)> Processes(string ns)
        {
            var pids = ChildRun.Run(ChildStart.Stock("ip", "netns", "pids", ns), limit: Eventually.Generous).ThrowIfFailed();
            foreach (var pid in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string cmdline = Path.Combine("/proc", pid.Trim(), "cmdline");
                string command = File.Exists(cmdline) ? File.ReadAllText(cmdline).Replace('\0', ' ') : "";
                yield return (int.Parse(pid.Trim(), System.Globalization.CultureInfo.InvariantCulture), command);
            }
        }

        /// <summary>RemoteLogin programs still running inside either host's namespace.</summary>
        public IReadOnlyList<string> RemoteLoginProcesses() =>
        [
            .. _network.Hosts.SelectMany(host => Processes(host.Namespace)
                .Where(p => p.Command.Contains("RemoteLogin", StringComparison.Ordinal))
                .Select(p => $"{host.Namespace}: {p.Command}")),
        ];

        public void Dispose()
        {
            _servers.ForEach(s => s.Dispose());
            _network.Dispose();
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }
}
