using RemoteLogin.Measurement;

namespace RemoteLogin.Results;

public sealed record MachineInfo(string Os, int CpuCount, string Runtime, string Kernel, string Processor)
{
    public static MachineInfo Current()
    {
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        string processor = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? ""
            : "";
        return new MachineInfo(
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            Environment.ProcessorCount,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            kernel,
            processor);
    }
}

/// <summary>The floor: a blocking one-byte ping-pong over loopback (DESIGN.md, "The floor").</summary>
public sealed record FloorResult(LatencySummary RttMicros, int Round, double[] P50PerMeasurement);

/// <summary>results.json as a whole.</summary>
public sealed record ResultsDocument(
    MachineInfo Machine,
    FloorResult? Floor,
    IReadOnlyList<RunResult> Runs,
    Dictionary<string, string> Settings);
