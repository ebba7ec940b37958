using System.Diagnostics;
using RemoteLogin.Measurement;

namespace RemoteLogin.Tests.Measurement;

public class LatencyTests
{
    [Fact]
    public void Percentiles_of_known_samples()
    {
        var histogram = Latency.NewHistogram();
        for (long micros = 1; micros <= 1000; micros++)
        {
            histogram.RecordValue(micros);
        }

        var summary = LatencySummary.From(histogram);

        Assert.Equal(500.5, summary.Mean, precision: 1);
        Assert.Equal(500, summary.P50);
        Assert.Equal(900, summary.P90);
        Assert.Equal(990, summary.P99);
        Assert.Equal(999, summary.P999);
        Assert.Equal(1000, summary.Max);
        Assert.Equal(1000, summary.Count);
    }

    [Fact]
    public void A_skewed_distribution_keeps_its_tail()
    {
        var histogram = Latency.NewHistogram();
        for (int i = 0; i < 990; i++)
        {
            histogram.RecordValue(30);
        }
        for (int i = 0; i < 10; i++)
        {
            histogram.RecordValue(5_000);
        }

        var summary = LatencySummary.From(histogram);

        Assert.Equal(30, summary.P50);
        Assert.Equal(30, summary.P99);
        Assert.InRange(summary.P999, 4_995, 5_005); // three significant digits
        Assert.InRange(summary.Max, 4_995, 5_005);
    }

    [Fact]
    public void Round_trips_are_whole_microseconds_rounded_and_at_least_one()
    {
        long start = 1_000_000;
        long ticksPerMicro = Stopwatch.Frequency / 1_000_000;

        Assert.Equal(28, Latency.MicrosBetween(start, start + 28 * ticksPerMicro));
        Assert.Equal(29, Latency.MicrosBetween(start, start + 28 * ticksPerMicro + ticksPerMicro * 6 / 10));
        Assert.Equal(1, Latency.MicrosBetween(start, start));
        Assert.Equal(1, Latency.MicrosBetween(start, start - 5));
    }

    [Fact]
    public void An_empty_histogram_summarises_to_zeros()
    {
        var summary = LatencySummary.From(Latency.NewHistogram());

        Assert.Equal(0, summary.Count);
        Assert.Equal(0, summary.P50);
    }
}
