using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using HdrHistogram;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Measurement;

/// <summary>
/// Our .hlog files, read back by hdr-histogram-js. Both sides follow HdrHistogram's conventions (a percentile is the
/// highest value equivalent to the sample at rank ceil(p × count), the max is the highest equivalent of the largest
/// sample, the mean weighs each slot's median equivalent) and round microseconds alike, so a faithful file decodes to
/// exactly the summary it was written from: the comparisons are equalities, not tolerances.
/// </summary>
public sealed class HistogramLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    private readonly string _directory = Directory.CreateTempSubdirectory("hlog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Small_and_large_values_with_long_runs_of_zeros_decode_to_the_same_summary()
    {
        var histogram = Latency.NewHistogram();
        histogram.RecordValue(1); // slot 0 is nanoseconds' own
        histogram.RecordValueWithCount(2_047, 2); // the last slot of unit resolution
        histogram.RecordValue(2_048);
        histogram.RecordValueWithCount(18_437, 1_000_000); // a count that takes three LEB128 bytes
        histogram.RecordValue(1_234_567);
        histogram.RecordValueWithCount(4_000_000_000, 3); // past 2^31 ns, tens of thousands of empty slots before it
        histogram.RecordValue(Latency.HighestTrackableNanos); // the last slot of the array

        var decoded = WriteAndDecode(histogram).Single();

        Assert.Equal(LatencySummary.From(histogram), decoded.Micros);
        Assert.Equal(1_000_009, decoded.TotalCount);
        Assert.Equal(histogram.HighestEquivalentValue(18_437), decoded.Nanos.P50);
        Assert.Equal(histogram.HighestEquivalentValue(Latency.HighestTrackableNanos), decoded.Nanos.Max);
        Assert.Equal((Latency.LowestDiscernibleNanos, Latency.HighestTrackableNanos, Latency.SignificantDigits),
            (decoded.LowestDiscernibleValue, decoded.HighestTrackableValue, decoded.NumberOfSignificantValueDigits));
    }

    [Fact]
    public void A_spread_of_round_trips_decodes_to_the_same_percentiles_and_mean()
    {
        // Floors of 5 to 60 µs with a tail to 50 ms, as a noisy run has them; seeded, so a failure repeats.
        var random = new Random(13);
        var session = Latency.NewSessionHistogram();
        for (int i = 0; i < 200_000; i++)
        {
            double micros = 5 + 55 * random.NextDouble();
            if (random.Next(1000) == 0)
            {
                micros *= 1 + random.Next(1000);
            }
            session.RecordValue((long)(micros * 1000));
        }
        var merged = Latency.NewHistogram();
        merged.Add(session);

        var decoded = WriteAndDecode(session, merged);

        Assert.Equal(LatencySummary.From(session), decoded[0].Micros);
        Assert.Equal(LatencySummary.From(merged), decoded[1].Micros);
        Assert.Equal(200_000, decoded[1].TotalCount);
    }

    [Fact]
    public void Several_tagged_histograms_come_back_in_order_with_their_tags_and_intervals()
    {
        var rtt = Interval(Latency.NewHistogram(), null, fromMillis: 500, toMillis: 2_500, 20_000, 21_000, 22_000);
        var setup = Interval(Latency.NewHistogram(), "setup", fromMillis: -400, toMillis: 0, 3_000_000, 4_000_000); // before the log's start
        var lateness = Interval(Latency.NewHistogram(), "lateness", fromMillis: 500, toMillis: 2_500, 700);
        var empty = Interval(Latency.NewHistogram(), "empty", fromMillis: 2_500, toMillis: 2_500);

        var decoded = WriteAndDecode(rtt, setup, lateness, empty);

        Assert.Equal(["", "setup", "lateness", "empty"], decoded.Select(d => d.Tag));
        Assert.Equal(new[] { rtt, setup, lateness, empty }.Select(LatencySummary.From), decoded.Select(d => d.Micros));
        Assert.Equal(LatencySummary.Empty, decoded[3].Micros);
        // The reader adds the BaseTime line to each line's start: milliseconds since the epoch again, to the format's 1 ms.
        Assert.Equal(Start.ToUnixTimeMilliseconds() + 500, decoded[0].StartTimeStampMsec, tolerance: 0.01);
        Assert.Equal(Start.ToUnixTimeMilliseconds() + 2_500, decoded[0].EndTimeStampMsec, tolerance: 0.01);
        Assert.Equal(Start.ToUnixTimeMilliseconds() - 400, decoded[1].StartTimeStampMsec, tolerance: 0.01);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), decoded[1].EndTimeStampMsec, tolerance: 0.01);
        Assert.Equal(decoded, HdrHistogramJs.Decode(Path.Combine(_directory, "run.hlog")));
        Assert.Equal(setup.TotalCount, HdrHistogramJs.DecodeByTag(Path.Combine(_directory, "run.hlog"))["setup"].TotalCount);
    }

    [Fact]
    public void The_file_is_utf8_without_a_bom_with_the_header_readers_expect()
    {
        var histogram = Interval(Latency.NewHistogram(), "setup", fromMillis: 0, toMillis: 1_000, 1_500_000);
        byte[] bytes = Write(histogram);

        Assert.Equal((byte)'#', bytes[0]); // no byte-order mark
        Assert.DoesNotContain((byte)0, bytes); // not UTF-16
        string[] lines = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).Split('\n');
        Assert.Equal("#[Histogram log format version 1.3]", lines[0]);
        Assert.StartsWith("#[StartTime: 1700000000.123 (seconds since epoch), ", lines[1]);
        Assert.Equal("#[BaseTime: 1700000000.123 (seconds since epoch)]", lines[2]);
        Assert.Contains("nanoseconds", lines[3]);
        Assert.Contains("Interval_Max is milliseconds", lines[3]);
        Assert.Equal("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"", lines[4]);
        string[] fields = lines[5].Split(',');
        Assert.Equal(["Tag=setup", "0.000", "1.000", "1.500"], fields[..4]); // max: its slot's highest value, 1.500159 ms
        Assert.Equal("", lines[6]);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public void Each_line_holds_a_finished_zlib_stream_of_the_V2_encoding()
    {
        var histogram = Latency.NewHistogram();
        histogram.RecordValueWithCount(30_000, 10);
        histogram.RecordValue(5_000_000);
        string line = Encoding.UTF8.GetString(Write(histogram)).Split('\n')[5];

        byte[] compressed = Convert.FromBase64String(line.Split(',')[3]);
        Assert.Equal(0x1c849314, BinaryPrimitives.ReadInt32BigEndian(compressed)); // V2 compressed cookie base | 0x10
        int length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(4));
        Assert.Equal(compressed.Length - 8, length);

        var encoded = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(compressed, 8, length), CompressionMode.Decompress))
        {
            zlib.CopyTo(encoded);
        }
        byte[] v2 = encoded.ToArray();
        // A finished stream ends with the Adler-32 of everything it holds; an unfinished one stops in mid-block.
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(compressed.AsSpan(compressed.Length - 4)), Adler32(v2));
        Assert.Equal(0x1c849313, BinaryPrimitives.ReadInt32BigEndian(v2)); // V2 cookie base | 0x10
        Assert.Equal(v2.Length - 40, BinaryPrimitives.ReadInt32BigEndian(v2.AsSpan(4)));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(v2.AsSpan(8))); // normalizing index offset
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(v2.AsSpan(12)));
        Assert.Equal(1, BinaryPrimitives.ReadInt64BigEndian(v2.AsSpan(16)));
        Assert.Equal(60_000_000_000, BinaryPrimitives.ReadInt64BigEndian(v2.AsSpan(24)));
        Assert.Equal(1.0, BinaryPrimitives.ReadDoubleBigEndian(v2.AsSpan(32)));
    }

    [Fact]
    public async Task The_client_writes_a_log_that_says_what_its_json_says()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive);
        string json = Path.Combine(_directory, "run.json"), hlog = Path.Combine(_directory, "client.hlog");

        var outcome = await ChildRun.RunAsync("RemoteLogin.Client", "load", "--port", daemon.Endpoint.Port.ToString(),
            "--scenario", "paste", "--sessions", "12", "--chars", "2000", "--warmup", "0", "--json", json, "--hlog", hlog);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var result = ResultsJson.Deserialize<RunResult>(File.ReadAllText(json));
        var decoded = HdrHistogramJs.DecodeByTag(hlog);
        Assert.Equal(result.RttMicros, decoded[""].Micros);
        Assert.Equal(result.SetupMicros, decoded["setup"].Micros);
        Assert.Equal(result.Chars, decoded[""].TotalCount); // every typed character, over all sessions
        Assert.Equal(10, decoded["setup"].TotalCount); // the warm sessions' logins: all but the first two
    }

    private static HistogramBase Interval(HistogramBase histogram, string? tag, long fromMillis, long toMillis, params long[] nanos)
    {
        if (tag is not null)
        {
            histogram.Tag = tag;
        }
        histogram.StartTimeStamp = Start.ToUnixTimeMilliseconds() + fromMillis;
        histogram.EndTimeStamp = Start.ToUnixTimeMilliseconds() + toMillis;
        foreach (long value in nanos)
        {
            histogram.RecordValue(value);
        }
        return histogram;
    }

    private static byte[] Write(params HistogramBase[] histograms)
    {
        var stream = new MemoryStream();
        HistogramLog.Write(stream, Start, histograms);
        return stream.ToArray();
    }

    private IReadOnlyList<HdrHistogramJs.DecodedHistogram> WriteAndDecode(params HistogramBase[] histograms)
    {
        string path = Path.Combine(_directory, "run.hlog");
        using (var file = File.Create(path))
        {
            HistogramLog.Write(file, Start, histograms);
        }
        var decoded = HdrHistogramJs.Decode(path);
        Assert.Equal(histograms.Length, decoded.Count);
        return decoded;
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }
}
