using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>
/// The "rttMicros" object of results.json (and every other percentile block): microseconds, with the count of samples
/// the percentiles were taken from. <see cref="FewSamplesBeyond"/> names the percentiles with fewer than
/// <see cref="ThinTail"/> samples beyond them ("p999", "p9999"): those are a handful of events, not a tail.
/// </summary>
/// <remarks>
/// The numbers are the ones HdrHistogram's Java implementation and HdrHistogramJS print for the same .hlog (the tests
/// check the latter): a percentile is the highest value equivalent to the sample of rank ceil(p% × count), the max is
/// the highest value equivalent to the largest sample, and the mean weighs each slot's median equivalent value. The
/// .NET package's own GetValueAtPercentile rounds the rank to the nearest instead, so it can name the sample below; it
/// is not used. Each number is then rounded to 3 significant digits (half up), the histogram's own precision: 18.4, 1230.
/// </remarks>
public sealed record LatencySummary(double Mean, double P50, double P90, double P99, double P999, double P9999, double Max, long Count)
{
    /// <summary>Fewer samples than this beyond a percentile, and it is marked.</summary>
    public const int ThinTail = 10;

    private static readonly double[] Percentiles = [50, 90, 99, 99.9, 99.99];

    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public string[] FewSamplesBeyond =>
        [.. new (string Name, double Percentile)[] { ("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9), ("p9999", 99.99) }
            .Where(p => Count * (100 - p.Percentile) / 100 < ThinTail).Select(p => p.Name)];

    /// <summary>Summarises a histogram of nanoseconds (see <see cref="Latency"/>) in microseconds.</summary>
    public static LatencySummary From(HistogramBase histogram)
    {
        long count = histogram.TotalCount;
        if (count == 0)
        {
            return Empty;
        }
        var ranks = Percentiles.Select(p => RankAt(p, count)).ToArray();
        var values = new long[ranks.Length];
        int next = 0;
        long seen = 0, max = 0;
        double total = 0;
        // One pass in value order, the way the other readers walk their counts, so even the mean's sum is theirs.
        foreach (var slot in histogram.RecordedValues())
        {
            seen += slot.CountAtValueIteratedTo;
            total += histogram.MedianEquivalentValue(slot.ValueIteratedTo) * (double)slot.CountAtValueIteratedTo;
            for (; next < ranks.Length && seen >= ranks[next]; next++)
            {
                values[next] = slot.ValueIteratedTo; // the iterator stands on the slot's highest equivalent value
            }
            max = slot.ValueIteratedTo;
        }
        return new LatencySummary(
            Micros(total / count), Micros(values[0]), Micros(values[1]), Micros(values[2]), Micros(values[3]), Micros(values[4]), Micros(max), count);
    }

    /// <summary>
    /// The rank of the sample at a percentile, as HdrHistogram's Java and JS implementations take it: rounded up, less
    /// one ulp first so that 99.9% of 1000 samples (999.0000000000001 in floating point) is the 999th, not the 1000th.
    /// </summary>
    public static long RankAt(double percentile, long count)
    {
        double exact = percentile / 100 * count;
        double ulp = Math.BitIncrement(exact) - exact;
        return Math.Max((long)Math.Ceiling(exact - ulp), 1);
    }

    /// <summary>
    /// Nanoseconds to microseconds, rounded half up to 3 significant digits (whole nanoseconds below 1 µs). The power
    /// of ten is found by multiplying, not by a logarithm, so the node reader in the tests rounds to the same double.
    /// </summary>
    public static double Micros(double nanos)
    {
        double unit = 1;
        while (nanos >= 1000 * unit)
        {
            unit *= 10;
        }
        return Math.Round(nanos / unit, MidpointRounding.AwayFromZero) * unit / 1000;
    }
}
