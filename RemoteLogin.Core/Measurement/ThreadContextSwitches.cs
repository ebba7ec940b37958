using System.Globalization;

namespace RemoteLogin.Measurement;

/// <summary>
/// Context switches of every thread of a process, read from /proc/PID/task/*/status: unlike getrusage, which only
/// a process can ask about itself, this reads any process from outside. Linux keeps these counts per thread, so a
/// thread that exits takes its counts with it: <see cref="Since"/> says how many threads went between two readings.
/// A thread that both starts and exits between them cannot be seen at all; whoever reads must keep threads alive.
/// </summary>
public sealed class ThreadContextSwitches
{
    public readonly record struct Counts(long Voluntary, long Involuntary) : ICounterSet<Counts>
    {
        static Counts ICounterSet<Counts>.Combine<TOp>(Counts a, Counts b, ref TOp op) => new(
            op.Count(a.Voluntary, b.Voluntary),
            op.Count(a.Involuntary, b.Involuntary));

        public static Counts operator +(Counts a, Counts b) => CounterSet.Add(a, b);

        public static Counts operator -(Counts end, Counts start) => CounterSet.Subtract(end, start);
    }

    private ThreadContextSwitches(IReadOnlyDictionary<int, Counts> byThread)
    {
        ByThread = byThread;
    }

    /// <summary>By thread id, the threads alive while the process was read.</summary>
    public IReadOnlyDictionary<int, Counts> ByThread { get; }

    public static ThreadContextSwitches Read(int processId)
    {
        var byThread = new Dictionary<int, Counts>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            var numbers = ProcStatus.ReadNumbers(Path.Combine(task, "status"), "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches");
            if (numbers is not null)
            {
                byThread[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = new Counts(numbers[0], numbers[1]);
            }
        }
        return new ThreadContextSwitches(byThread);
    }

    /// <summary>
    /// What the process's threads did after <paramref name="earlier"/>: a thread new since then counts in full (it
    /// started at zero); a thread gone since then is counted in <see cref="Between.ThreadsExited"/>, its switches
    /// after the earlier reading lost. So is a thread id that counts less than before: the kernel gave a gone
    /// thread's id to a new one.
    /// </summary>
    public Between Since(ThreadContextSwitches earlier)
    {
        var switches = default(Counts);
        foreach (var (thread, now) in ByThread)
        {
            switches += now - (earlier.SameThread(thread, now) ? earlier.ByThread[thread] : default);
        }
        int exited = earlier.ByThread.Count(pair => !(ByThread.TryGetValue(pair.Key, out var now) && earlier.SameThread(pair.Key, now)));
        return new Between(switches.Voluntary, switches.Involuntary, exited);
    }

    /// <summary>Whether <paramref name="now"/> can be the same thread as this reading's <paramref name="thread"/>: counts only grow.</summary>
    private bool SameThread(int thread, Counts now) =>
        ByThread.TryGetValue(thread, out var then) && CounterSet.Min(then, now) == then;

    public readonly record struct Between(long Voluntary, long Involuntary, int ThreadsExited);
}
