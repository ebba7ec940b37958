using System.Runtime.InteropServices;

namespace RemoteLogin.Native;

/// <summary>
/// sched_setaffinity(2) and sched_getaffinity(2) for the calling thread: .NET sets a whole process's affinity
/// (Process.ProcessorAffinity) but never one thread's, and the floor's ping and echo are two threads of one process.
/// </summary>
public static unsafe partial class ThreadAffinity
{
    // A cpu_set_t as glibc lays it out: 1024 bits, one per CPU number.
    private const int MaskWords = 1024 / 64;

    /// <summary>
    /// From now on the calling thread runs on <paramref name="cpu"/> only. On Linux pid 0 names the calling thread,
    /// not the process: the other threads keep their affinity; threads this one creates later inherit it.
    /// </summary>
    public static void PinCurrentThread(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, MaskWords * 64);
        ulong* mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);
        if (sched_setaffinity(0, (nuint)(MaskWords * sizeof(ulong)), mask) != 0)
        {
            throw new InvalidOperationException($"sched_setaffinity(CPU {cpu}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The CPUs the calling thread may run on, in ascending order.</summary>
    public static IReadOnlyList<int> CurrentThreadCpus()
    {
        ulong* mask = stackalloc ulong[MaskWords];
        if (sched_getaffinity(0, (nuint)(MaskWords * sizeof(ulong)), mask) != 0)
        {
            throw new InvalidOperationException($"sched_getaffinity failed: errno {Marshal.GetLastPInvokeError()}");
        }
        var cpus = new List<int>();
        for (int cpu = 0; cpu < MaskWords * 64; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                cpus.Add(cpu);
            }
        }
        return cpus;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);
}
