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
    long? Syscalls = null)
{
    /// <summary>This process now: getrusage(RUSAGE_SELF), the GC's own totals, and what <paramref name="copies"/> counted.</summary>
    public static ProcessCounters CaptureSelf(CopyTally? copies = null) =>
        // Every collection collects generation 0, so its count is the count of all collections.
        From(ResourceUsage.ReadSelf(), GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0)) with { Copied = copies?.Counts };

    /// <summary>A getrusage sample, with the managed heap's totals beside it.</summary>
    public static ProcessCounters From(ResourceUsage.Sample usage, long allocatedBytes, long gcCollections) => new(
        usage.VoluntaryContextSwitches, usage.InvoluntaryContextSwitches, usage.UserMicros, usage.SystemMicros, allocatedBytes, gcCollections);

    /// <summary>Two processes together (a daemon and its children); a count only one of them has is no count for both.</summary>
    public static ProcessCounters operator +(ProcessCounters a, ProcessCounters b) => new(
        a.VoluntaryContextSwitches + b.VoluntaryContextSwitches,
        a.InvoluntaryContextSwitches + b.InvoluntaryContextSwitches,
        a.CpuUserMicros + b.CpuUserMicros,
        a.CpuSystemMicros + b.CpuSystemMicros,
        a.AllocatedBytes + b.AllocatedBytes,
        a.GcCollections + b.GcCollections,
        a.Copied + b.Copied,
        a.Syscalls + b.Syscalls);

    public static ProcessCounters operator -(ProcessCounters end, ProcessCounters start) => new(
        end.VoluntaryContextSwitches - start.VoluntaryContextSwitches,
        end.InvoluntaryContextSwitches - start.InvoluntaryContextSwitches,
        end.CpuUserMicros - start.CpuUserMicros,
        end.CpuSystemMicros - start.CpuSystemMicros,
        end.AllocatedBytes - start.AllocatedBytes,
        end.GcCollections - start.GcCollections,
        end.Copied - start.Copied,
        end.Syscalls - start.Syscalls);

    public long ContextSwitches => VoluntaryContextSwitches + InvoluntaryContextSwitches;

    public long CpuMicros => CpuUserMicros + CpuSystemMicros;
}
