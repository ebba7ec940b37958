using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>
/// Reads an HdrHistogram log (.hlog) back into histograms: the files <see cref="HistogramLog.Write"/> produces, and
/// those of the other implementations that write Java's compressed V2 encoding (Java, HdrHistogramJS, HdrHistogram_c),
/// so the bench can merge the load hosts' histograms with HdrHistogram's own Add.
/// </summary>
/// <remarks>
/// The .NET package's HistogramLogReader cannot be used: it takes a single Read of its DeflateStream for the whole
/// payload, and today's DeflateStream returns less than asked, so any histogram with more than a few slots fails
/// ("The buffer does not contain the indicated payload amount").
/// </remarks>
public static class HistogramLogReader
{
    // Java's reader: a start more than a year before the StartTime line is relative to it when no BaseTime is given.
    private const double RelativeStartsBeforeSeconds = 365 * 24 * 3600.0;

    /// <summary>
    /// Every histogram of the log, in file order, each a <see cref="LongHistogram"/> with its Tag (null for an
    /// untagged line) and its StartTimeStamp and EndTimeStamp in milliseconds since the epoch. A line that is not an
    /// HdrHistogram log line, or an encoding other than the compressed V2 of an integer histogram, throws
    /// <see cref="InvalidDataException"/> naming the line.
    /// </summary>
    public static IReadOnlyList<HistogramBase> Read(Stream stream)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        var histograms = new List<HistogramBase>();
        double? startTimeSeconds = null, baseTimeSeconds = null;
        int lineNumber = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNumber++;
            if (line.StartsWith("#[StartTime: ", StringComparison.Ordinal))
            {
                startTimeSeconds = LeadingSeconds(line, "#[StartTime: ".Length, lineNumber);
            }
            else if (line.StartsWith("#[BaseTime: ", StringComparison.Ordinal))
            {
                baseTimeSeconds = LeadingSeconds(line, "#[BaseTime: ".Length, lineNumber);
            }
            else if (line.Length == 0 || line[0] == '#' || line[0] == '"')
            {
                continue; // other comments, and the CSV header line
            }
            else
            {
                histograms.Add(Interval(line, lineNumber, ref startTimeSeconds, ref baseTimeSeconds));
            }
        }
        return histograms;
    }

    /// <summary>One interval line: [Tag=NAME,]start,length,max,base64 (max is derived from the counts, and not read).</summary>
    private static LongHistogram Interval(string line, int lineNumber, ref double? startTimeSeconds, ref double? baseTimeSeconds)
    {
        string? tag = null;
        string rest = line;
        if (rest.StartsWith("Tag=", StringComparison.Ordinal))
        {
            int comma = rest.IndexOf(',');
            if (comma < 0)
            {
                throw Bad(lineNumber, "a Tag= with nothing after it");
            }
            tag = rest[4..comma];
            rest = rest[(comma + 1)..];
        }
        string[] fields = rest.Split(',');
        if (fields.Length != 4)
        {
            throw Bad(lineNumber, $"{fields.Length} fields where start,length,max,histogram are 4");
        }
        double start = Seconds(fields[0], lineNumber), length = Seconds(fields[1], lineNumber);
        // As Java's reader places a line: with no StartTime line the first start is it; with no BaseTime line the
        // starts are absolute unless they are far before the StartTime.
        startTimeSeconds ??= start;
        baseTimeSeconds ??= start < startTimeSeconds - RelativeStartsBeforeSeconds ? startTimeSeconds : 0;
        double absoluteStart = start + baseTimeSeconds.Value;

        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(fields[3]);
        }
        catch (FormatException)
        {
            throw Bad(lineNumber, "its histogram is not base64");
        }
        var histogram = Decode(compressed, lineNumber);
        histogram.Tag = tag;
        histogram.StartTimeStamp = (long)Math.Round(absoluteStart * 1000);
        histogram.EndTimeStamp = (long)Math.Round((absoluteStart + length) * 1000);
        return histogram;
    }

    /// <summary>Java's decodeFromCompressedByteBuffer: cookie, length, a zlib stream of the V2 encoding.</summary>
    private static LongHistogram Decode(byte[] compressed, int lineNumber)
    {
        if (compressed.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(compressed) != HistogramLog.V2CompressedEncodingCookie)
        {
            throw Bad(lineNumber, "its histogram is not in the compressed V2 encoding");
        }
        int length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(4));
        if (length < 0 || length > compressed.Length - 8)
        {
            throw Bad(lineNumber, $"its histogram says {length} compressed bytes, and has {compressed.Length - 8}");
        }
        var encoded = new MemoryStream();
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed, 8, length), CompressionMode.Decompress);
            zlib.CopyTo(encoded); // reads until the stream's end, however little each Read returns
        }
        catch (InvalidDataException e)
        {
            throw Bad(lineNumber, $"its zlib stream is damaged ({e.Message})");
        }
        return DecodeV2(encoded.GetBuffer().AsSpan(0, (int)encoded.Length), lineNumber);
    }

    /// <summary>The V2 header (see <see cref="HistogramLog.V2HeaderLength"/>), then the zig-zag LEB128 counts from slot 0, a negative one a run of that many empty slots.</summary>
    /// <remarks>
    /// The header's normalizing index offset and conversion ratio are not read: the counts are in their logical order
    /// whatever the offset (Java's fillBufferFromCountsArray), the ratio means something only inside a DoubleHistogram,
    /// whose lines have a cookie of their own, and HdrHistogramJS writes an offset of 1 and a ratio of the integer 1
    /// (not the double) in every line, which its own reader skips as Java's integer histograms do.
    /// </remarks>
    private static LongHistogram DecodeV2(ReadOnlySpan<byte> encoded, int lineNumber)
    {
        if (encoded.Length < HistogramLog.V2HeaderLength || BinaryPrimitives.ReadInt32BigEndian(encoded) != HistogramLog.V2EncodingCookie)
        {
            throw Bad(lineNumber, "its histogram has no V2 header");
        }
        int payloadLength = BinaryPrimitives.ReadInt32BigEndian(encoded[4..]);
        int digits = BinaryPrimitives.ReadInt32BigEndian(encoded[12..]);
        long lowest = BinaryPrimitives.ReadInt64BigEndian(encoded[16..]);
        long highest = BinaryPrimitives.ReadInt64BigEndian(encoded[24..]);
        if (payloadLength < 0 || payloadLength > encoded.Length - HistogramLog.V2HeaderLength)
        {
            throw Bad(lineNumber, $"its V2 header says {payloadLength} bytes of counts, and has {encoded.Length - HistogramLog.V2HeaderLength}");
        }
        if (digits is < 0 or > 5 || lowest < 1 || highest < 2 * lowest)
        {
            throw Bad(lineNumber, $"its V2 header names no histogram (lowest {lowest}, highest {highest}, digits {digits})");
        }

        var histogram = new LongHistogram(lowest, highest, digits);
        var layout = new HistogramLog.CountsLayout(lowest, digits);
        var counts = encoded.Slice(HistogramLog.V2HeaderLength, payloadLength);
        int index = 0;
        try
        {
            while (!counts.IsEmpty)
            {
                long count = HistogramLog.ZigZag.Read(ref counts);
                if (count < 0)
                {
                    index = checked(index + (int)-count); // a run of empty slots
                }
                else
                {
                    if (count > 0)
                    {
                        histogram.RecordValueWithCount(layout.ValueAt(index), count);
                    }
                    index++;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            throw Bad(lineNumber, $"its counts do not fit its histogram ({e.Message})");
        }
        return histogram;
    }

    private static double LeadingSeconds(string line, int from, int lineNumber)
    {
        int end = line.IndexOf(' ', from);
        return Seconds(end < 0 ? line[from..].TrimEnd(']') : line[from..end], lineNumber);
    }

    private static double Seconds(string text, int lineNumber) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            ? seconds
            : throw Bad(lineNumber, $"\"{text}\" is not a number of seconds");

    private static InvalidDataException Bad(int lineNumber, string why) => new($"HdrHistogram log line {lineNumber}: {why}");
}
