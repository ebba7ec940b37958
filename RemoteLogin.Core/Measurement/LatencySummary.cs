using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>The "rttMicros" object of results.json.</summary>
public sealed record LatencySummary(double Mean, double P50, double P90, double P99, double P999, double Max, long Count)
{
    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
            Math.Round(histogram.GetMean(), 2),
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue(),
            histogram.TotalCount);
    }
}
