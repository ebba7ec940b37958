using System.Diagnostics;
using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>
/// The one place that fixes how latencies are recorded: in nanoseconds, from 1 ns to a minute, to 3 significant digits.
/// Whole microseconds rounded a 20 µs floor by ±2.5%; nanoseconds keep the 0.1% that 3 digits promise down to 1 µs.
/// </summary>
/// <remarks>
/// Memory decides the rest, since every session holds a histogram (thousands of them in a large run). The counts array
/// has (buckets + 1) × 1024 slots at 3 digits; a minute is 2^36 ns, so from 1 ns that is 27 × 1024 = 27,648 slots.
/// Each doubling of the lowest value saves only one bucket (1024 slots, 4%), and a lowest value of 16 ns would already
/// blur a 9 µs spin floor to 0.2%; so 1 ns, the unit of the values, costs little and loses nothing. The word size is
/// what matters: a session's histogram counts in 32 bits (108 KB instead of 216 KB), because one slot would need 2^31
/// round trips, hours of typing at the fastest rate, to overflow. The few histograms that merge every session, or
/// outlive one, count in 64 bits.
/// </remarks>
public static class Latency
{
    public const long LowestDiscernibleNanos = 1;

    public const long HighestTrackableNanos = 60_000_000_000;

    public const int SignificantDigits = 3;

    /// <summary>Stopwatch ticks are nanoseconds on Linux; read once, so the JIT folds the check below into a constant.</summary>
    private static readonly long TicksPerSecond = Stopwatch.Frequency;

    /// <summary>A histogram that merges sessions, or lives beside them (the floor, setup, lateness): 64-bit counts.</summary>
    public static LongHistogram NewHistogram() => new(LowestDiscernibleNanos, HighestTrackableNanos, SignificantDigits);

    /// <summary>One session's round trips: 32-bit counts, half the memory (see the remarks above).</summary>
    public static IntHistogram NewSessionHistogram() => new(LowestDiscernibleNanos, HighestTrackableNanos, SignificantDigits);

    /// <summary>
    /// Nanoseconds between two <see cref="Stopwatch.GetTimestamp"/> readings, rounded to the nearest, within the
    /// histogram's range: an interval of zero or less (a clock read out of order) counts as the lowest value.
    /// </summary>
    public static long NanosBetween(long startTimestamp, long endTimestamp)
    {
        long ticks = endTimestamp - startTimestamp;
        if (ticks <= 0)
        {
            return LowestDiscernibleNanos;
        }
        long nanos = TicksPerSecond == 1_000_000_000
            ? ticks
            // Elsewhere (100 ns ticks on Windows): exact, and Int128 keeps a minute of ticks × 1e9 from overflowing.
            : (long)(((Int128)ticks * 1_000_000_000 + TicksPerSecond / 2) / TicksPerSecond);
        return Math.Clamp(nanos, LowestDiscernibleNanos, HighestTrackableNanos);
    }

    public static void RecordBetween(this HistogramBase histogram, long startTimestamp, long endTimestamp) =>
        histogram.RecordValue(NanosBetween(startTimestamp, endTimestamp));
}
