using System.Net;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Measurement;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// The readings of the host this process runs on. <paramref name="dataAddress"/> is this host's end of the data path:
/// its interface is the one whose packets and interrupts are counted. The environment's start readings are taken here,
/// when the agent is made; <see cref="Describe"/> adds the end readings.
/// </summary>
internal sealed class LocalHostAgent(IPAddress dataAddress, CpuIdle cpuIdle, string cpuIdleStatus) : IHostAgent
{
    private readonly EnvironmentProbe _probe = EnvironmentProbe.Start(CpuPlacement.Default, cpuIdle, cpuIdleStatus);
    private readonly string? _interface = NetworkContext.InterfaceFor(dataAddress);
    private OtherProcessesCpu? _others;

    public HostSystemCounters ReadSystem() => HostSystemCounters.Capture(_interface);

    public HostDescription Describe() => new(
        MachineInfo.Current(),
        _probe.Finish(OwnEnvironment(), OwnEnvironment(), otherCpuPercent: null),
        NetworkContext.For(dataAddress),
        PerfSyscalls.Unavailable());

    /// <summary>This process's variables: what the programs started on this host from the same login inherit.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> OwnEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(entry => new KeyValuePair<string, string?>((string)entry.Key, (string?)entry.Value));

    // The agent's own folder counts as ours: on a lab host the daemon was installed beside it.
    public void WatchOthers(IReadOnlyList<string> ourFolders) =>
        _others = OtherProcessesCpu.Start(ourFolders: [.. ourFolders, AppContext.BaseDirectory]);

    public double OthersCpuPercent() =>
        (_others ?? throw new InvalidOperationException("not watching other processes: start first")).Stop();

    public IDaemonCounting StartCounting(int daemonProcessId, bool countSyscalls) => DaemonCounting.Start(daemonProcessId, countSyscalls);

    public void Dispose()
    {
    }
}
