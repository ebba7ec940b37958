using System.Diagnostics;
using RemoteLogin.Measurement;

namespace RemoteLogin.Tests.Measurement;

public class LatencyTests
{
    private const long NanosPerMicro = 1000;

    [Fact]
    public void Percentiles_of_known_samples()
    {
        var histogram = Latency.NewHistogram();
        for (long micros = 1; micros <= 1000; micros++)
        {
            histogram.RecordValue(micros * NanosPerMicro);
        }

        var summary = LatencySummary.From(histogram);

        // Each slot's median stands for its samples, a fraction of a slot (0.05%) off their true mean of 500.5.
        Assert.InRange(summary.Mean, 500, 501);
        Assert.Equal(500, summary.P50);
        Assert.Equal(900, summary.P90);
        Assert.Equal(990, summary.P99);
        Assert.Equal(999, summary.P999); // 99.9% of 1000 is the 999th sample, though 0.999 × 1000 is 999.0000000000001
        Assert.Equal(1000, summary.P9999);
        Assert.Equal(1000, summary.Max);
        Assert.Equal(1000, summary.Count);
    }

    [Fact]
    public void A_skewed_distribution_keeps_its_tail()
    {
        var histogram = Latency.NewHistogram();
        histogram.RecordValueWithCount(30 * NanosPerMicro, 990);
        histogram.RecordValueWithCount(5_000 * NanosPerMicro, 10);

        var summary = LatencySummary.From(histogram);

        Assert.Equal(30, summary.P50);
        Assert.Equal(30, summary.P99);
        Assert.Equal(5_000, summary.P999); // its slot is 5000.0 to 5001.2 µs: three significant digits
        Assert.Equal(5_000, summary.Max);
    }

    [Fact]
    public void A_round_trip_keeps_a_tenth_of_a_microsecond_and_three_digits()
    {
        var histogram = Latency.NewHistogram();
        histogram.RecordValue(18_437);
        Assert.Equal(18.4, LatencySummary.From(histogram).P50); // whole microseconds said 18

        histogram.Reset();
        histogram.RecordValue(1_234_567);
        Assert.Equal(1230, LatencySummary.From(histogram).P50);

        histogram.Reset();
        histogram.RecordValue(1_234); // below 2.048 µs every nanosecond has a slot of its own
        Assert.Equal(1.23, LatencySummary.From(histogram).P50);
    }

    [Theory]
    [InlineData(18_437.0, 18.4)]
    [InlineData(18_450.0, 18.5)] // half up
    [InlineData(999_500.0, 1000.0)]
    [InlineData(1_234_567.0, 1230.0)]
    [InlineData(999.0, 0.999)]
    [InlineData(5.0, 0.005)]
    [InlineData(60e9, 60e6)]
    public void Nanoseconds_become_microseconds_to_three_significant_digits(double nanos, double micros) =>
        Assert.Equal(micros, LatencySummary.Micros(nanos));

    [Fact]
    public void Intervals_are_nanoseconds_from_the_stopwatch_and_stay_in_range()
    {
        long start = 1_000_000;
        long millisecond = Stopwatch.Frequency / 1000; // whole ticks, whatever the tick is

        Assert.Equal(1_000_000, Latency.NanosBetween(start, start + millisecond));
        Assert.Equal(1_000_000_000, Latency.NanosBetween(start, start + Stopwatch.Frequency));
        Assert.Equal(Latency.LowestDiscernibleNanos, Latency.NanosBetween(start, start));
        Assert.Equal(Latency.LowestDiscernibleNanos, Latency.NanosBetween(start, start - 5));
        Assert.Equal(Latency.HighestTrackableNanos, Latency.NanosBetween(start, start + 120 * Stopwatch.Frequency));
    }

    [Fact]
    public void Recording_an_interval_records_its_nanoseconds()
    {
        var histogram = Latency.NewSessionHistogram();
        long start = Stopwatch.GetTimestamp();

        histogram.RecordBetween(start, start + Stopwatch.Frequency / 1000);
        histogram.RecordBetween(start, start - 1);

        Assert.Equal(2, histogram.TotalCount);
        Assert.Equal(1, histogram.GetCountAtValue(1_000_000));
        Assert.Equal(1, histogram.GetCountAtValue(Latency.LowestDiscernibleNanos));
    }

    [Fact]
    public void A_percentile_is_the_sample_at_its_rank_rounded_up()
    {
        var histogram = Latency.NewHistogram();
        for (long micros = 1; micros <= 7; micros++)
        {
            histogram.RecordValue(micros * NanosPerMicro);
        }

        // 90% of 7 samples is 6.3: the 7th is the first that 90% of the samples are at or below.
        Assert.Equal(7, LatencySummary.From(histogram).P90);
        Assert.Equal(7, LatencySummary.RankAt(90, 7));
        // The package's own method rounds 6.3 to 6, and so would disagree with every other reader of our .hlog files.
        Assert.Equal(6, LatencySummary.Micros(histogram.GetValueAtPercentile(90)));
        Assert.Equal(999, LatencySummary.RankAt(99.9, 1000));
        Assert.Equal(1, LatencySummary.RankAt(50, 1));
    }

    [Fact]
    public void A_session_histogram_is_half_the_size_and_merges_losslessly()
    {
        var session = Latency.NewSessionHistogram();
        var merged = Latency.NewHistogram();
        session.RecordValueWithCount(18_437, 3);
        session.RecordValue(4_000_000_000);

        merged.Add(session);

        Assert.Equal(LatencySummary.From(session), LatencySummary.From(merged));
        Assert.True(session.GetEstimatedFootprintInBytes() * 2 < merged.GetEstimatedFootprintInBytes() + 1024);
        Assert.True(session.GetEstimatedFootprintInBytes() < 128 * 1024, $"{session.GetEstimatedFootprintInBytes()} bytes a session");
    }

    [Fact]
    public void An_empty_histogram_summarises_to_zeros()
    {
        var summary = LatencySummary.From(Latency.NewHistogram());

        Assert.Equal(0, summary.Count);
        Assert.Equal(0, summary.P50);
    }
}
