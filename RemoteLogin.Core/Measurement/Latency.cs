using System.Diagnostics;
using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>The one place that fixes how round trips are recorded: whole microseconds, 3 significant digits, up to a minute.</summary>
public static class Latency
{
    public const long HighestTrackableMicros = 60_000_000;

    public static LongHistogram NewHistogram() => new(1, HighestTrackableMicros, 3);

    /// <summary>Microseconds between two <see cref="Stopwatch.GetTimestamp"/> readings, rounded, at least 1 (the histogram's floor).</summary>
    public static long MicrosBetween(long startTimestamp, long endTimestamp)
    {
        long ticks = Math.Max(0, endTimestamp - startTimestamp);
        long micros = (ticks * 1_000_000 + Stopwatch.Frequency / 2) / Stopwatch.Frequency;
        return Math.Clamp(micros, 1, HighestTrackableMicros);
    }

    public static void RecordBetween(this HistogramBase histogram, long startTimestamp, long endTimestamp) =>
        histogram.RecordValue(MicrosBetween(startTimestamp, endTimestamp));
}
