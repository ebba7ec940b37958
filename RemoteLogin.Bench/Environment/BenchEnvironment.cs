using System.Globalization;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// What the machine was like while the bench ran: the "environment" object of results.json (DESIGN.md, "Results
/// format"), so that a reader can tell a slow figure from a slow machine. Built by <see cref="EnvironmentProbe"/>.
/// </summary>
/// <param name="Commit">The commit the bench was built from, "-dirty" when its checkout had uncommitted changes (<see cref="BuildCommit"/>).</param>
/// <param name="Kernel">The kernel release (uname -r).</param>
/// <param name="Cmdline">The kernel's command line: mitigations=, idle=, isolcpus= and the like.</param>
/// <param name="Governor">cpufreq's scaling governor of CPU 0.</param>
/// <param name="IdleGovernor">The cpuidle governor.</param>
/// <param name="IdleStates">Every idle state of CPU 0, shallowest first.</param>
/// <param name="Thp">Transparent huge pages: always, madvise or never.</param>
/// <param name="Mitigations">Each CPU vulnerability the kernel knows of and its status; null when the kernel does not say.</param>
/// <param name="LoadAverage">The 1, 5 and 15 minute load averages at the start and at the end; empty when unavailable.</param>
/// <param name="StealPercent">Hypervisor steal over <see cref="StealTime.Window"/> at the start and at the end; null when unavailable.</param>
/// <param name="OtherCpuPercent">CPU used by processes outside the bench's tree, in percent of one core (<see cref="OtherProcessesCpu"/>).</param>
/// <param name="DotnetEnvironment">Every DOTNET_ variable each side was started with.</param>
/// <param name="FrequencyMHz">CPU 0's clock in MHz; <paramref name="FrequencySource"/> says where it was read (this VM has no cpufreq).</param>
/// <param name="CpuIdle">The idle setting asked for (--cpu-idle); <paramref name="CpuIdleStatus"/> says what holds the CPUs out of deep idle states (<see cref="CpuIdleHold.Status"/>).</param>
internal sealed record BenchEnvironment(
    string Commit,
    string Kernel,
    string Cmdline,
    string Governor,
    double? FrequencyMHz,
    string FrequencySource,
    string IdleGovernor,
    IReadOnlyList<IdleState> IdleStates,
    string Clocksource,
    string Thp,
    IReadOnlyDictionary<string, string>? Mitigations,
    StartAndEnd<IReadOnlyList<double>> LoadAverage,
    StartAndEnd<double?> StealPercent,
    double? OtherCpuPercent,
    SidesEnvironment DotnetEnvironment,
    CpuPlacement Placement,
    CpuIdle CpuIdle,
    string CpuIdleStatus)
{
    /// <summary>A few short lines for the console and results.md, as BenchmarkDotNet heads its reports.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        $"RemoteLogin {Commit}, Linux {Short(Kernel)}, clocksource {Short(Clocksource)}, THP {Short(Thp)}",
        $"CPU {Frequency()}, governor {Short(Governor)}; idle governor {Short(IdleGovernor)}: {States()}",
        $"mitigations: {MitigationSummary()}",
        $"placement {Placement.Name()}, cpu idle {CpuIdleStatus}",
        $"kernel command line: {Cmdline}",
        $"load {Load(LoadAverage.Start)} → {Load(LoadAverage.End)}, steal {Percent(StealPercent.Start)} → {Percent(StealPercent.End)}, " +
            $"other processes {Percent(OtherCpuPercent)} of one core",
        $"DOTNET_ variables: {VariablesSummary()}",
    ];

    // The SDK's and the host's own settings, which a run under dotnet test or dotnet run inherits: they do not
    // change what the runtime does, so the header leaves them to results.json.
    private static readonly string[] ToolingPrefixes =
    [
        "DOTNET_CLI_", "DOTNET_ROOT", "DOTNET_HOST_PATH", "DOTNET_NOLOGO", "DOTNET_GENERATE_ASPNET_CERTIFICATE",
        "DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "DOTNET_ADD_GLOBAL_TOOLS_TO_PATH", "DOTNET_MSBUILD_SDK_RESOLVER_",
    ];

    private string Frequency() => FrequencyMHz is { } mhz
        ? $"{mhz.ToString("0", CultureInfo.InvariantCulture)} MHz ({(FrequencySource.StartsWith("/proc/cpuinfo", StringComparison.Ordinal) ? "cpuinfo, no cpufreq" : "cpufreq")})"
        : "frequency unavailable";

    /// <summary>A field as the header shows it: "unavailable" without the path, which results.json keeps.</summary>
    private static string Short(string value) => value.StartsWith("unavailable", StringComparison.Ordinal) ? "unavailable" : value;

    private string VariablesSummary()
    {
        var client = Runtime(DotnetEnvironment.Client);
        var daemon = Runtime(DotnetEnvironment.Daemon);
        var both = client.Intersect(daemon).ToList();
        string tooling = DotnetEnvironment.Client.Keys.Union(DotnetEnvironment.Daemon.Keys).Any(IsTooling) ? " (and the SDK's own, in results.json)" : "";
        return $"both {Variables(both)}; client only {Variables(client.Except(both))}; daemon only {Variables(daemon.Except(both))}{tooling}";
    }

    private static IEnumerable<KeyValuePair<string, string>> Runtime(IReadOnlyDictionary<string, string> variables) =>
        variables.Where(v => !IsTooling(v.Key));

    private static bool IsTooling(string name) => ToolingPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    private string States() => IdleStates.Count == 0
        ? "no idle states listed"
        : string.Join(", ", IdleStates.Select(s => $"{s.Name} {s.ExitLatencyMicros} µs{(s.Disabled ? " (disabled)" : "")}"));

    private string MitigationSummary()
    {
        if (Mitigations is null)
        {
            return "unavailable";
        }
        // The full map is in results.json; the header names only what is left open.
        var vulnerable = Mitigations.Where(m => m.Value.StartsWith("Vulnerable", StringComparison.Ordinal)).Select(m => m.Key).ToList();
        int mitigated = Mitigations.Count(m => m.Value.StartsWith("Mitigation", StringComparison.Ordinal));
        return vulnerable.Count == 0
            ? $"{mitigated} mitigated, none vulnerable"
            : $"{mitigated} mitigated, vulnerable: {string.Join(", ", vulnerable)}";
    }

    private static string Load(IReadOnlyList<double> load) =>
        load.Count == 0 ? "unavailable" : string.Join(" ", load.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)));

    private static string Percent(double? percent) =>
        percent is { } value ? value.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "unavailable";

    private static string Variables(IEnumerable<KeyValuePair<string, string>> variables) =>
        variables.Any() ? string.Join(" ", variables.Select(v => $"{v.Key}={v.Value}")) : "none";
}

/// <summary>The CPU's clock rate and where it was read: cpufreq's current frequency, or /proc/cpuinfo's figure where there is no cpufreq.</summary>
/// <param name="Value">MHz, or null when no source has a figure.</param>
internal sealed record CpuFrequency(double? Value, string Source);

/// <summary>One cpuidle state: entering it saves power, leaving it costs <paramref name="ExitLatencyMicros"/> on the next wake-up.</summary>
internal sealed record IdleState(string Name, long ExitLatencyMicros, bool Disabled);

/// <summary>A reading taken when the bench started and again when it ended.</summary>
internal sealed record StartAndEnd<T>(T Start, T End);

/// <summary>Something each side of the bench was given: the load client's and the daemon's.</summary>
internal sealed record SidesEnvironment(IReadOnlyDictionary<string, string> Client, IReadOnlyDictionary<string, string> Daemon);
