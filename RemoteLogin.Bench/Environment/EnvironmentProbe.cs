using System.Globalization;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// Reads the machine's environment from /proc and /sys: once when the bench starts, and the readings that change
/// (load, steal) again when it ends. Every source may be absent; the field then says so.
/// </summary>
internal sealed class EnvironmentProbe
{
    private const string Cpu0 = "/sys/devices/system/cpu/cpu0";
    private const string CpuFreq = Cpu0 + "/cpufreq";
    private const string CpuIdleStates = Cpu0 + "/cpuidle";
    private const string CpuIdleGovernor = "/sys/devices/system/cpu/cpuidle";
    private const string Vulnerabilities = "/sys/devices/system/cpu/vulnerabilities";
    private const string Clocksource = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
    private const string HugePages = "/sys/kernel/mm/transparent_hugepage/enabled";

    private readonly SystemFiles _files;
    private readonly BenchEnvironment _start;

    private EnvironmentProbe(SystemFiles files, BenchEnvironment start)
    {
        _files = files;
        _start = start;
    }

    /// <summary>
    /// Reads everything that describes the machine, and samples the steal time over <see cref="StealTime.Window"/>
    /// (this call takes that long).
    /// </summary>
    /// <param name="cpuIdle">The idle setting asked for.</param>
    /// <param name="cpuIdleStatus"><see cref="CpuIdleHold.Status"/> of the hold the bench acquired.</param>
    /// <param name="files">Where /proc and /sys are read; the machine's own unless a test says otherwise.</param>
    public static EnvironmentProbe Start(CpuPlacement placement, CpuIdle cpuIdle, string cpuIdleStatus, SystemFiles? files = null)
    {
        files ??= SystemFiles.Host;
        var frequency = Frequency(files);
        var start = new BenchEnvironment(
            Commit: BuildCommit.Describe(),
            Kernel: Line(files, "/proc/sys/kernel/osrelease"),
            Cmdline: Line(files, "/proc/cmdline"),
            Governor: files.ReadLine(CpuFreq + "/scaling_governor") ?? $"unavailable (no cpufreq: {CpuFreq} absent)",
            FrequencyMHz: frequency.Value,
            FrequencySource: frequency.Source,
            IdleGovernor: files.ReadLine(CpuIdleGovernor + "/current_governor")
                ?? files.ReadLine(CpuIdleGovernor + "/current_governor_ro")
                ?? SystemFiles.Unavailable(CpuIdleGovernor + "/current_governor"),
            IdleStates: IdleStates(files),
            Clocksource: Line(files, Clocksource),
            Thp: HugePageMode(files),
            Mitigations: Mitigations(files),
            LoadAverage: new StartAndEnd<IReadOnlyList<double>>(LoadAverage(files), []),
            StealPercent: new StartAndEnd<double?>(StealTime.MeasurePercent(files), null),
            OtherCpuPercent: null,
            DotnetEnvironment: new SidesEnvironment(new Dictionary<string, string>(), new Dictionary<string, string>()),
            Placement: placement,
            CpuIdle: cpuIdle,
            CpuIdleStatus: cpuIdleStatus);
        return new EnvironmentProbe(files, start);
    }

    /// <summary>
    /// The environment with the end readings (this call samples steal time again, <see cref="StealTime.Window"/>).
    /// </summary>
    /// <param name="clientEnvironment">What the load client was started with (its ProcessStartInfo.Environment).</param>
    /// <param name="daemonEnvironment">What the daemon was started with.</param>
    /// <param name="otherCpuPercent"><see cref="OtherProcessesCpu.Stop"/> over the measured part, or null if not measured.</param>
    public BenchEnvironment Finish(
        IEnumerable<KeyValuePair<string, string?>> clientEnvironment, IEnumerable<KeyValuePair<string, string?>> daemonEnvironment,
        double? otherCpuPercent) =>
        SoFar(clientEnvironment, daemonEnvironment) with
        {
            LoadAverage = _start.LoadAverage with { End = LoadAverage(_files) },
            StealPercent = _start.StealPercent with { End = StealTime.MeasurePercent(_files) },
            OtherCpuPercent = otherCpuPercent,
        };

    /// <summary>The environment as read at the start, with no end readings yet: what a document written mid-run says.</summary>
    public BenchEnvironment SoFar(
        IEnumerable<KeyValuePair<string, string?>> clientEnvironment, IEnumerable<KeyValuePair<string, string?>> daemonEnvironment) =>
        _start with { DotnetEnvironment = new SidesEnvironment(DotnetVariables(clientEnvironment), DotnetVariables(daemonEnvironment)) };

    /// <summary>The DOTNET_ variables of one side, by name: they switch the runtime's behaviour (tiering, PGO, GC), and so the figures.</summary>
    public static IReadOnlyDictionary<string, string> DotnetVariables(IEnumerable<KeyValuePair<string, string?>> environment)
    {
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (name.StartsWith("DOTNET_", StringComparison.Ordinal) && value is not null)
            {
                variables[name] = value;
            }
        }
        return variables;
    }

    private static string Line(SystemFiles files, string path) => files.ReadLine(path) ?? SystemFiles.Unavailable(path);

    private static CpuFrequency Frequency(SystemFiles files)
    {
        string current = CpuFreq + "/scaling_cur_freq";
        if (files.ReadLine(current) is { } kilohertz && double.TryParse(kilohertz, NumberStyles.Float, CultureInfo.InvariantCulture, out double khz))
        {
            return new CpuFrequency(khz / 1000, current);
        }
        // Without cpufreq (virtual machines, mostly) the kernel's figure is the one it calibrated at boot, not a reading.
        foreach (var line in (files.ReadAll("/proc/cpuinfo") ?? "").Split('\n'))
        {
            if (line.StartsWith("cpu MHz", StringComparison.Ordinal)
                && double.TryParse(line[(line.IndexOf(':') + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double mhz))
            {
                return new CpuFrequency(mhz, "/proc/cpuinfo cpu MHz of the first CPU (no cpufreq: the rate calibrated at boot, not a reading)");
            }
        }
        return new CpuFrequency(null, $"unavailable (neither {current} nor cpu MHz in /proc/cpuinfo)");
    }

    private static IReadOnlyList<IdleState> IdleStates(SystemFiles files)
    {
        var states = new List<(int Index, IdleState State)>();
        foreach (var entry in files.Entries(CpuIdleStates))
        {
            if (!entry.StartsWith("state", StringComparison.Ordinal) || !int.TryParse(entry.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                continue;
            }
            string directory = $"{CpuIdleStates}/{entry}";
            long latency = long.TryParse(files.ReadLine(directory + "/latency"), NumberStyles.None, CultureInfo.InvariantCulture, out long micros) ? micros : -1;
            bool disabled = files.ReadLine(directory + "/disable") is "1";
            states.Add((index, new IdleState(files.ReadLine(directory + "/name") ?? entry, latency, disabled)));
        }
        return states.OrderBy(s => s.Index).Select(s => s.State).ToList(); // numerically: state10 after state9
    }

    /// <summary>The bracketed one of "always [madvise] never".</summary>
    private static string HugePageMode(SystemFiles files)
    {
        if (files.ReadLine(HugePages) is not { } line)
        {
            return SystemFiles.Unavailable(HugePages);
        }
        int open = line.IndexOf('[');
        int close = line.IndexOf(']');
        return open >= 0 && close > open ? line[(open + 1)..close] : line;
    }

    private static IReadOnlyDictionary<string, string>? Mitigations(SystemFiles files)
    {
        var entries = files.Entries(Vulnerabilities);
        if (entries.Count == 0)
        {
            return null;
        }
        var statuses = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in entries)
        {
            statuses[name] = files.ReadLine($"{Vulnerabilities}/{name}") ?? "unreadable";
        }
        return statuses;
    }

    /// <summary>The first three fields of /proc/loadavg; none when it is absent.</summary>
    private static IReadOnlyList<double> LoadAverage(SystemFiles files) =>
        files.ReadLine("/proc/loadavg") is { } line
            ? line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3)
                .Select(field => double.Parse(field, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList()
            : [];
}
