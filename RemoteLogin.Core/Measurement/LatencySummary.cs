using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>
/// The "rttMicros" object of results.json (and every other percentile block): microseconds, with the count of samples
/// the percentiles were taken from. <see cref="FewSamplesBeyond"/> names the percentiles with fewer than
/// <see cref="ThinTail"/> samples beyond them ("p999", "p9999"): those are a handful of events, not a tail.
/// </summary>
public sealed record LatencySummary(double Mean, double P50, double P90, double P99, double P999, double P9999, double Max, long Count)
{
    /// <summary>Fewer samples than this beyond a percentile, and it is marked.</summary>
    public const int ThinTail = 10;

    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public string[] FewSamplesBeyond =>
        [.. new (string Name, double Percentile)[] { ("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9), ("p9999", 99.99) }
            .Where(p => Count * (100 - p.Percentile) / 100 < ThinTail).Select(p => p.Name)];

    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }
        return new LatencySummary(
            Math.Round(histogram.GetMean(), 2),
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetValueAtPercentile(99.99),
            histogram.GetMaxValue(),
            histogram.TotalCount);
    }
}
