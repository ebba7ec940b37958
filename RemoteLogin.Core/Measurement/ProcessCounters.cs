using RemoteLogin.Native;

namespace RemoteLogin.Measurement;

/// <summary>
/// What one side of a run cost its process: the "client" and "server" objects of results.json. <see cref="Copied"/>
/// is what the strategies counted themselves (null where nobody counted); <see cref="Syscalls"/> comes from perf,
/// outside the process, and is null when perf could not count.
/// </summary>
public sealed record ProcessCounters(
    long VoluntaryContextSwitches,
    long InvoluntaryContextSwitches,
    long CpuUserMicros,
    long CpuSystemMicros,
    long AllocatedBytes,
    long GcCollections,
    CopiedBytes? Copied = null,
    long? Syscalls = null) : ICounterSet<ProcessCounters>
{
    /// <summary>This process now: getrusage(RUSAGE_SELF), the GC's own totals, and what <paramref name="copies"/> counted.</summary>
    public static ProcessCounters CaptureSelf(CopyTally? copies = null) =>
        // Every collection collects generation 0, so its count is the count of all collections.
        From(ResourceUsage.ReadSelf(), GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0)) with { Copied = copies?.Counts };

    /// <summary>A getrusage sample, with the managed heap's totals beside it.</summary>
    public static ProcessCounters From(ResourceUsage.Sample usage, long allocatedBytes, long gcCollections) => new(
        usage.VoluntaryContextSwitches, usage.InvoluntaryContextSwitches, usage.UserMicros, usage.SystemMicros, allocatedBytes, gcCollections);

    static ProcessCounters ICounterSet<ProcessCounters>.Combine<TOp>(ProcessCounters a, ProcessCounters b, ref TOp op) => new(
        op.Count(a.VoluntaryContextSwitches, b.VoluntaryContextSwitches),
        op.Count(a.InvoluntaryContextSwitches, b.InvoluntaryContextSwitches),
        op.Count(a.CpuUserMicros, b.CpuUserMicros),
        op.Count(a.CpuSystemMicros, b.CpuSystemMicros),
        op.Count(a.AllocatedBytes, b.AllocatedBytes),
        op.Count(a.GcCollections, b.GcCollections),
        CounterSet.Combine(a.Copied, b.Copied, ref op),
        op.Count(a.Syscalls, b.Syscalls));

    /// <summary>Two processes together (a daemon and its children); a count only one of them has is no count for both.</summary>
    public static ProcessCounters operator +(ProcessCounters a, ProcessCounters b) => CounterSet.Add(a, b);

    public static ProcessCounters operator -(ProcessCounters end, ProcessCounters start) => CounterSet.Subtract(end, start);

    public long ContextSwitches => VoluntaryContextSwitches + InvoluntaryContextSwitches;

    public long CpuMicros => CpuUserMicros + CpuSystemMicros;
}
