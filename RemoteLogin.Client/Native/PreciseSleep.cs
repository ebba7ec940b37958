using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RemoteLogin.Client.Native;

/// <summary>
/// Sleep until a <see cref="Stopwatch"/> timestamp. Typists are late by however long their sleep overshoots, and that
/// lateness is counted as latency, so millisecond sleeps (all .NET offers) would swamp a 30 µs round trip.
/// clock_nanosleep on CLOCK_MONOTONIC, the clock Stopwatch reads on Linux, wakes within tens of microseconds.
/// </summary>
public static partial class PreciseSleep
{
    private const int CLOCK_MONOTONIC = 1;
    private const int TIMER_ABSTIME = 1;
    private const int EINTR = 4;

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

    [LibraryImport("libc")]
    private static partial int clock_nanosleep(int clockId, int flags, in TimeSpec request, IntPtr remain);
}
