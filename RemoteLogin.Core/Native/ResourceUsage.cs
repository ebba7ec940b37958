using System.Runtime.InteropServices;
using RemoteLogin.Measurement;

namespace RemoteLogin.Native;

/// <summary>getrusage(2): .NET exposes CPU time but not context switches, and nothing for reaped children.</summary>
public static partial class ResourceUsage
{
    private const int RUSAGE_SELF = 0;
    private const int RUSAGE_CHILDREN = -1;
    private const int RUSAGE_THREAD = 1;

    /// <summary>The fields of struct rusage that RemoteLogin reports, for one process (or its reaped children).</summary>
    public readonly record struct Sample(long UserMicros, long SystemMicros, long VoluntaryContextSwitches, long InvoluntaryContextSwitches)
        : ICounterSet<Sample>
    {
        static Sample ICounterSet<Sample>.Combine<TOp>(Sample a, Sample b, ref TOp op) => new(
            op.Count(a.UserMicros, b.UserMicros),
            op.Count(a.SystemMicros, b.SystemMicros),
            op.Count(a.VoluntaryContextSwitches, b.VoluntaryContextSwitches),
            op.Count(a.InvoluntaryContextSwitches, b.InvoluntaryContextSwitches));

        public static Sample operator +(Sample a, Sample b) => CounterSet.Add(a, b);

        public static Sample operator -(Sample a, Sample b) => CounterSet.Subtract(a, b);
    }

    /// <summary>This process, all its threads.</summary>
    public static Sample ReadSelf() => Read(RUSAGE_SELF);

    /// <summary>Every child this process has waited for (the runtime reaps the children it starts), once they have been reaped.</summary>
    public static Sample ReadReapedChildren() => Read(RUSAGE_CHILDREN);

    /// <summary>The calling thread alone: what one thread's side job cost, to be kept apart from the rest.</summary>
    public static Sample ReadThisThread() => Read(RUSAGE_THREAD);

    private static Sample Read(int who)
    {
        if (getrusage(who, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return new Sample(
            usage.UserTime.TotalMicros,
            usage.SystemTime.TotalMicros,
            usage.VoluntaryContextSwitches,
            usage.InvoluntaryContextSwitches);
    }

    // struct timeval and struct rusage as laid out by glibc on 64-bit Linux.
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Micros;

        public readonly long TotalMicros => Seconds * 1_000_000 + Micros;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public TimeVal UserTime;
        public TimeVal SystemTime;
        public long MaxResidentSet;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntaryContextSwitches;
        public long InvoluntaryContextSwitches;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);
}
