using System.Text;
using HdrHistogram;
using RemoteLogin.Measurement;
using RemoteLogin.Tests.Support;
using LogReader = RemoteLogin.Measurement.HistogramLogReader;

namespace RemoteLogin.Tests.Measurement;

/// <summary>
/// .hlog files read back into histograms, as the bench does to merge its load hosts: ours, and one hdr-histogram-js
/// wrote. A histogram read back must hold the same count at every value, not only the same summary.
/// </summary>
public sealed class HistogramLogReaderTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    private readonly string _directory = Directory.CreateTempSubdirectory("hlog-read-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void What_we_write_reads_back_with_every_count_its_tag_and_its_interval()
    {
        var random = new Random(14); // seeded, so a failure repeats
        var rtt = Interval(Latency.NewHistogram(), null, fromMillis: 500, toMillis: 2_500);
        for (int i = 0; i < 100_000; i++)
        {
            rtt.RecordValue((long)(5_000 + random.NextDouble() * random.NextDouble() * 2e9)); // slots over the whole range
        }
        rtt.RecordValue(1); // slot 0
        rtt.RecordValue(Latency.HighestTrackableNanos); // the last slot
        rtt.RecordValueWithCount(30_000, 5_000_000_000); // a count past 2^32, which an int would wrap
        var setup = Interval(Latency.NewSessionHistogram(), "setup", fromMillis: -400, toMillis: 0); // before the log's start
        setup.RecordValueWithCount(3_000_000, 7);
        var empty = Interval(Latency.NewHistogram(), "empty", fromMillis: 2_500, toMillis: 2_500);

        var read = WriteAndRead(rtt, setup, empty);

        Assert.Equal(3, read.Count);
        AssertSameCounts(rtt, read[0]);
        AssertSameCounts(setup, read[1]);
        AssertSameCounts(empty, read[2]);
        Assert.Equal([null, "setup", "empty"], read.Select(h => h.Tag));
        Assert.Equal([rtt.StartTimeStamp, setup.StartTimeStamp, empty.StartTimeStamp], read.Select(h => h.StartTimeStamp));
        Assert.Equal([rtt.EndTimeStamp, setup.EndTimeStamp, empty.EndTimeStamp], read.Select(h => h.EndTimeStamp));
        Assert.Equal(LatencySummary.From(rtt), LatencySummary.From(read[0]));
    }

    [Fact]
    public void Two_hosts_histograms_read_back_and_added_equal_one_that_recorded_both()
    {
        var random = new Random(41);
        var first = Latency.NewHistogram();
        var second = Latency.NewHistogram();
        var both = Latency.NewHistogram();
        for (int i = 0; i < 50_000; i++)
        {
            long near = (long)(20_000 + 40_000 * random.NextDouble()), far = (long)(200_000 + 5e7 * random.NextDouble());
            first.RecordValue(near);
            second.RecordValue(far);
            both.RecordValue(near);
            both.RecordValue(far);
        }

        var read = WriteAndRead(first, second);
        var merged = Latency.NewHistogram();
        merged.Add(read[0]);
        merged.Add(read[1]);

        AssertSameCounts(both, merged);
        Assert.Equal(LatencySummary.From(both), LatencySummary.From(merged));
    }

    [Fact]
    public void A_log_that_hdr_histogram_js_wrote_reads_back_with_its_values_tags_and_intervals()
    {
        long startMillis = Start.ToUnixTimeMilliseconds();
        long[][] rttValues = [[1, 1], [2_047, 2], [18_437, 1_000_000], [1_234_567, 1], [4_000_000_000, 3], [Latency.HighestTrackableNanos, 1]];
        long[][] setupValues = [[3_000_000, 2], [4_000_000, 1]];
        var log = new HdrHistogramJs.LogToEncode(startMillis, [
            new("", startMillis + 500, startMillis + 2_500, Latency.LowestDiscernibleNanos, Latency.HighestTrackableNanos, Latency.SignificantDigits, rttValues),
            new("setup", startMillis, startMillis + 400, 1_000, 3_600_000_000_000, 2, setupValues), // another layout: 2 digits, a unit of 1 µs
        ]);

        string text = HdrHistogramJs.Encode(log, _directory);
        var read = LogReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(2, read.Count);
        Assert.Equal([null, "setup"], read.Select(h => h.Tag));
        Assert.Equal([startMillis + 500, startMillis], read.Select(h => h.StartTimeStamp));
        Assert.Equal([startMillis + 2_500, startMillis + 400], read.Select(h => h.EndTimeStamp));
        AssertSameCounts(Recorded(Latency.NewHistogram(), rttValues), read[0]);
        AssertSameCounts(Recorded(new LongHistogram(1_000, 3_600_000_000_000, 2), setupValues), read[1]);
        Assert.Equal((1_000, 3_600_000_000_000, 2), (read[1].LowestTrackableValue, read[1].HighestTrackableValue, read[1].NumberOfSignificantValueDigits));
    }

    [Fact]
    public void A_damaged_line_is_refused_naming_its_line()
    {
        var histogram = Latency.NewHistogram();
        histogram.RecordValue(20_000);
        string[] lines = Encoding.UTF8.GetString(Write(histogram)).Split('\n');
        string[] fields = lines[5].Split(',');
        fields[3] = fields[3][..^8] + "AAAAAAA="; // the zlib stream's end and checksum overwritten
        lines[5] = string.Join(',', fields);

        var error = Assert.Throws<InvalidDataException>(() => LogReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)))));

        Assert.StartsWith("HdrHistogram log line 6: ", error.Message);
    }

    private static void AssertSameCounts(HistogramBase expected, HistogramBase actual)
    {
        Assert.Equal(expected.TotalCount, actual.TotalCount);
        Assert.Equal(Counts(expected), Counts(actual));
    }

    /// <summary>Every non-empty slot as (its lowest value, its count): equal lists mean equal counts at every value.</summary>
    private static List<(long, long)> Counts(HistogramBase histogram) =>
        [.. histogram.RecordedValues().Select(slot => (histogram.LowestEquivalentValue(slot.ValueIteratedTo), slot.CountAtValueIteratedTo))];

    private static HistogramBase Recorded(HistogramBase histogram, long[][] values)
    {
        foreach (var pair in values)
        {
            histogram.RecordValueWithCount(pair[0], pair[1]);
        }
        return histogram;
    }

    private static HistogramBase Interval(HistogramBase histogram, string? tag, long fromMillis, long toMillis)
    {
        if (tag is not null)
        {
            histogram.Tag = tag;
        }
        histogram.StartTimeStamp = Start.ToUnixTimeMilliseconds() + fromMillis;
        histogram.EndTimeStamp = Start.ToUnixTimeMilliseconds() + toMillis;
        return histogram;
    }

    private static byte[] Write(params HistogramBase[] histograms)
    {
        var stream = new MemoryStream();
        HistogramLog.Write(stream, Start, histograms);
        return stream.ToArray();
    }

    private IReadOnlyList<HistogramBase> WriteAndRead(params HistogramBase[] histograms)
    {
        string path = Path.Combine(_directory, "run.hlog");
        File.WriteAllBytes(path, Write(histograms));
        using var file = File.OpenRead(path);
        return LogReader.Read(file);
    }
}
