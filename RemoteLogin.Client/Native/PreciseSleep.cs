using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RemoteLogin.Client.Native;

/// <summary>
/// Sleep until a <see cref="Stopwatch"/> timestamp. Typists are late by however long their sleep overshoots, and that
/// lateness is counted as latency, so millisecond sleeps (all .NET offers) would swamp a 30 µs round trip.
/// clock_nanosleep on CLOCK_MONOTONIC, the clock Stopwatch reads on Linux, wakes within tens of microseconds.
/// </summary>
internal static partial class PreciseSleep
{
    /// <summary>
    /// How long before a due time <see cref="UntilExactly"/> stops sleeping and spins. A thread woken from
    /// clock_nanosleep runs again after the kernel's wake-up path and the scheduler's latency: a few to tens of
    /// microseconds on an idle VM, rarely more than a hundred on a busy 2-core one. So 100 µs of spinning covers
    /// nearly every wake-up, and costs a typist at 20 characters a second 0.2% of a core.
    /// </summary>
    public static readonly TimeSpan SpinStretch = TimeSpan.FromMicroseconds(100);

    private const int CLOCK_MONOTONIC = 1;
    private const int TIMER_ABSTIME = 1;
    private const int EINTR = 4;
    private const int PR_SET_TIMERSLACK = 29;

    private static readonly long s_spinTicks = (long)(SpinStretch.TotalSeconds * Stopwatch.Frequency);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static void Until(long stopwatchTimestamp)
    {
        if (Stopwatch.Frequency != 1_000_000_000 || !OperatingSystem.IsLinux())
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), stopwatchTimestamp);
            if (left > TimeSpan.Zero)
            {
                Thread.Sleep(left);
            }
            return;
        }
        var until = new TimeSpec { Seconds = stopwatchTimestamp / 1_000_000_000, Nanoseconds = stopwatchTimestamp % 1_000_000_000 };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, in until, IntPtr.Zero) == EINTR)
        {
        }
    }

    /// <summary>Sleep until <see cref="SpinStretch"/> before <paramref name="stopwatchTimestamp"/>, then spin to it: for a due time that is itself measured.</summary>
    public static void UntilExactly(long stopwatchTimestamp)
    {
        long wake = stopwatchTimestamp - s_spinTicks;
        if (Stopwatch.GetTimestamp() < wake)
        {
            Until(wake);
        }
        while (Stopwatch.GetTimestamp() < stopwatchTimestamp)
        {
            Thread.SpinWait(1);
        }
    }

    /// <summary>
    /// Ask the kernel to wake this thread's timed sleeps when they are due, not up to 50 µs later (the default
    /// timer slack, which lets it batch wake-ups). Per thread: call it on the thread that sleeps. False if refused.
    /// </summary>
    public static bool TightenTimerSlack() => !OperatingSystem.IsLinux() || prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0) == 0;

    [LibraryImport("libc")]
    private static partial int clock_nanosleep(int clockId, int flags, in TimeSpec request, IntPtr remain);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
