using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Reports;

internal sealed record MachineInfo(string Os, int CpuCount, string Runtime, string Kernel, string Processor)
{
    public static MachineInfo Current()
    {
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        string processor = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? ""
            : "";
        return new MachineInfo(
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Environment.ProcessorCount,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            kernel,
            processor);
    }
}

/// <summary>A round-trip floor for the top of results.json: the measurement with the median p50, and every measurement's p50.</summary>
internal sealed record FloorSummary(LatencySummary RttMicros, int Round, double[] P50PerMeasurement);

/// <summary>The stream floor: the median measurement's chars/s, and every measurement's.</summary>
internal sealed record StreamFloorSummary(double CharsPerSecond, double[] PerMeasurement);

/// <summary>results.json's "floors" (DESIGN.md, "The floor"): spin is absent where it was not measured, stream where no paste ran.</summary>
internal sealed record FloorsSummary(FloorSummary Blocking, FloorSummary? Spin, StreamFloorSummary? Stream);

/// <summary>results.json as a whole, written again after every run so a bench that dies mid-matrix leaves what it measured.</summary>
internal sealed record ResultsDocument
{
    /// <summary>2: every round kept, two floors and a stream floor, timed and counted passes, the environment.</summary>
    public int SchemaVersion => 2;

    /// <summary>False while the bench is still running (or if it stopped before the end).</summary>
    public required bool Complete { get; init; }

    /// <summary>The seed that ordered the configurations within each round and chose the typed text.</summary>
    public required int Seed { get; init; }

    public required MachineInfo Machine { get; init; }

    public required BenchEnvironment Environment { get; init; }

    /// <summary>The daemon's host in a two-host run, as its companion read it there; absent in a one-host run.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Hosts.HostDescription? DaemonMachine { get; init; }

    /// <summary>The blocking floor, by its first name (DESIGN.md keeps "floor" as its alias).</summary>
    public FloorSummary? Floor => Floors?.Blocking;

    public FloorsSummary? Floors { get; init; }

    /// <summary>Which figures come from which pass of each configuration.</summary>
    public IReadOnlyDictionary<string, string[]> Passes { get; } = new Dictionary<string, string[]>
    {
        ["timed"] = ["rttMicros", "charsPerSecond", "setupMicros", "sendLatenessMicros", "integrity", "client (but syscalls)", "clientCheckMicros", "server (but syscalls)",
            "serverSubdaemons", "system", "allocatedBytesPerChar", "rounds", "p50OverFloor", "p50OverSpin", "charsPerSecondOverStream", "histogramLog"],
        ["counted"] = ["client.syscalls", "server.syscalls", "serverMeter", "serverTimeSeries", "countedPass"],
    };

    public required IReadOnlyList<RunResult> Runs { get; init; }

    /// <summary>In a report kept in the repository (<c>--report</c>): what made it and refreshes it; absent in a run's own results.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ReportOrigin? Report { get; init; }

    /// <summary>Whether this was a <c>--quick</c> run, as its settings say (results.json has it there, not twice).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Quick => Settings.GetValueOrDefault("quick") == "true";

    public required Dictionary<string, string> Settings { get; init; }
}
