using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Measurement;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// What the bench reads on a host other than through its programs' own figures: that host's kernel counters at the
/// edges of a measured part, its machine and network once, and the counted pass's readers of a daemon running there.
/// <see cref="LocalHostAgent"/> reads them in this process; on a lab host the bench's companion there holds one and
/// answers over ssh (<see cref="CompanionClient"/>). Every reading is asked for; nothing is read periodically.
/// </summary>
internal interface IHostAgent : IDisposable
{
    /// <summary>The host's kernel counters now: machine-wide, and the interface that carries the data path.</summary>
    HostSystemCounters ReadSystem();

    /// <summary>The host's machine, environment (with its end readings, taken now) and network context.</summary>
    HostDescription Describe();

    /// <summary>
    /// Start watching the CPU that other processes use on this host (<see cref="RunEnvironment.OtherProcessesCpu"/>);
    /// the run's own programs, in <paramref name="ourFolders"/>, do not count.
    /// </summary>
    void WatchOthers(IReadOnlyList<string> ourFolders);

    /// <summary>What other processes used since <see cref="WatchOthers"/>, in percent of one core.</summary>
    double OthersCpuPercent();

    /// <summary>perf and the metrics session attached to a daemon on this host, for the counted pass.</summary>
    IDaemonCounting StartCounting(int daemonProcessId, bool countSyscalls);
}

/// <summary>
/// A host as results.json describes it ("daemonMachine", and each load host's "environment"): "machine" and
/// "environment" as for the bench's own host, the network path's context, and why perf cannot count there, if so.
/// </summary>
/// <remarks>
/// The environment's DOTNET_ variables are the agent's own, which every program the bench starts on that host
/// inherits from the same login: both sides show them, and <see cref="WithSwitches"/> adds the bench's switches.
/// </remarks>
internal sealed record HostDescription(MachineInfo Machine, BenchEnvironment Environment, NetworkContext? Network, string? SyscallsUnavailable)
{
    /// <summary>The host as its programs ran there: its own variables with the bench's switches over them (the tether sets them).</summary>
    public HostDescription WithSwitches(IReadOnlyDictionary<string, string> switches)
    {
        var all = Environment.DotnetEnvironment.Daemon.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        foreach (var (name, value) in switches)
        {
            all[name] = value;
        }
        var variables = EnvironmentProbe.DotnetVariables(all);
        return this with { Environment = Environment with { DotnetEnvironment = new SidesEnvironment(variables, variables) } };
    }
}
