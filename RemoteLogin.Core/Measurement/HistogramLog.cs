using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using HdrHistogram;

namespace RemoteLogin.Measurement;

/// <summary>
/// Writes histograms as an HdrHistogram log (.hlog, format 1.3) that the other implementations read: Java's
/// HistogramLogReader, HdrHistogramJS, HdrHistogram_c. The .NET package's own writer cannot be used for that: it
/// writes UTF-16 with a byte-order mark, and its zlib streams are never finished, so HdrHistogramJS rejects every line
/// ("unexpected end of file").
/// </summary>
/// <remarks>
/// Each histogram is one line: [Tag=NAME,]start,length,max,base64. Start and length are seconds, from the histogram's
/// StartTimeStamp and EndTimeStamp (milliseconds since the epoch, as HdrHistogram .NET keeps them), the start relative
/// to the BaseTime line, which is the earliest start of all. Max is in the readers' default unit, the value divided by
/// 1e6: milliseconds for our nanoseconds. The base64 is Java's compressed V2 encoding
/// (AbstractHistogram.encodeIntoCompressedByteBuffer).
/// </remarks>
public static class HistogramLog
{
    /// <summary>The readers divide Interval_Max by this by default (Java's HistogramLogWriter); ns → ms.</summary>
    public const double MaxValueUnitRatio = 1e6;

    // The cookies' low nibble holds the word size; 0x10 marks the V2 zig-zag LEB128 counts, as Java writes them.
    internal const int V2EncodingCookie = 0x1c849303 | 0x10;
    internal const int V2CompressedEncodingCookie = 0x1c849304 | 0x10;

    /// <summary>
    /// The V2 header: cookie, payload length, normalizing index offset, digits (int32 each), then lowest, highest and
    /// the integer-to-double conversion ratio (8 bytes each), all big-endian.
    /// </summary>
    internal const int V2HeaderLength = 40;

    public static void Write(Stream stream, DateTimeOffset start, IEnumerable<HistogramBase> histograms)
    {
        // UTF-8 without a byte-order mark: a reader that splits lines would take a BOM for part of the first comment.
        using var log = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { NewLine = "\n" };
        var lines = histograms.ToList();
        long startMillis = start.ToUnixTimeMilliseconds();
        // HdrHistogramJS skips a line whose start is before the base time (its default range starts at 0 s), and the
        // setup times begin before the measured part: the base is the earliest start of all.
        long baseTimeMillis = lines.Select(h => h.StartTimeStamp).Where(t => t > 0).Append(startMillis).Min();
        log.WriteLine("#[Histogram log format version 1.3]");
        // Java writes Date.toString() here; readers take only the number.
        string readable = start.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);
        log.WriteLine($"#[StartTime: {Seconds(startMillis)} (seconds since epoch), {readable}]");
        log.WriteLine($"#[BaseTime: {Seconds(baseTimeMillis)} (seconds since epoch)]");
        log.WriteLine("#[Histogram values are nanoseconds; Interval_Max is milliseconds (the value / 1e6)]");
        log.WriteLine("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"");
        foreach (var histogram in lines)
        {
            if (!string.IsNullOrEmpty(histogram.Tag))
            {
                log.Write($"Tag={histogram.Tag},"); // the histogram already refused commas, spaces and line breaks
            }
            // A histogram that never set its interval (0) is placed at the log's start, with no length.
            long fromMillis = histogram.StartTimeStamp > 0 ? histogram.StartTimeStamp : startMillis;
            long toMillis = Math.Max(histogram.EndTimeStamp, fromMillis);
            long max = histogram.TotalCount == 0 ? 0 : histogram.HighestEquivalentValue(MaxRecorded(histogram));
            log.Write(Seconds(fromMillis - baseTimeMillis));
            log.Write(',');
            log.Write(Seconds(toMillis - fromMillis));
            log.Write(',');
            log.Write((max / MaxValueUnitRatio).ToString("F3", CultureInfo.InvariantCulture));
            log.Write(',');
            log.WriteLine(Convert.ToBase64String(CompressedV2(histogram)));
        }
    }

    /// <summary>Cookie, big-endian length, and a finished zlib stream (header, deflate blocks, Adler-32) of the V2 encoding.</summary>
    private static byte[] CompressedV2(HistogramBase histogram)
    {
        byte[] encoded = V2(histogram);
        var compressed = new MemoryStream();
        Span<byte> prefix = stackalloc byte[8];
        compressed.Write(prefix); // room for the cookie and length, filled in below
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(encoded);
        } // disposing is what writes the final block and the checksum: the bytes are taken only after it
        byte[] bytes = compressed.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, V2CompressedEncodingCookie);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    /// <summary>
    /// The uncompressed V2 encoding: the header, then the counts from slot 0 to the max's slot as zig-zag LEB128, a
    /// run of zeros as its negated length (Java's fillBufferFromCountsArray).
    /// </summary>
    private static byte[] V2(HistogramBase histogram)
    {
        var layout = new CountsLayout(histogram.LowestTrackableValue, histogram.NumberOfSignificantValueDigits);
        var counts = new ArrayBufferWriter<byte>();
        int nextIndex = 0; // the slot after the last one written
        foreach (var slot in histogram.RecordedValues())
        {
            int index = layout.IndexOf(slot.ValueIteratedTo);
            int zeros = index - nextIndex;
            if (zeros > 1)
            {
                ZigZag.Write(counts, -zeros);
            }
            else if (zeros == 1)
            {
                ZigZag.Write(counts, 0); // Java writes a single zero as itself, not as a run of one
            }
            ZigZag.Write(counts, slot.CountAtValueIteratedTo);
            nextIndex = index + 1;
        }

        byte[] encoded = new byte[V2HeaderLength + counts.WrittenCount];
        var header = encoded.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(header, V2EncodingCookie);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], counts.WrittenCount);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 0); // normalizing index offset: .NET histograms never shift
        BinaryPrimitives.WriteInt32BigEndian(header[12..], histogram.NumberOfSignificantValueDigits);
        BinaryPrimitives.WriteInt64BigEndian(header[16..], histogram.LowestTrackableValue);
        BinaryPrimitives.WriteInt64BigEndian(header[24..], histogram.HighestTrackableValue);
        BinaryPrimitives.WriteDoubleBigEndian(header[32..], 1.0); // integer-to-double conversion ratio: an integer histogram
        counts.WrittenSpan.CopyTo(header[V2HeaderLength..]);
        return encoded;
    }

    private static long MaxRecorded(HistogramBase histogram)
    {
        long max = 0;
        foreach (var slot in histogram.RecordedValues())
        {
            max = slot.ValueIteratedTo;
        }
        return max;
    }

    private static string Seconds(long millis) => (millis / 1000.0).ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>
    /// Where a value's count sits in HdrHistogram's counts array, as every implementation lays it out (Java's
    /// AbstractHistogram.countsArrayIndex): readers rebuild the histogram from the header's lowest, highest and digits
    /// and fill its slots in order, so our slot numbers must be theirs. The .NET package keeps its own index private.
    /// <see cref="HistogramLogReader"/> walks the same layout backwards.
    /// </summary>
    internal sealed class CountsLayout
    {
        private readonly int _unitMagnitude;
        private readonly int _subBucketHalfCountMagnitude;
        private readonly int _subBucketHalfCount;
        private readonly long _subBucketMask;
        private readonly int _leadingZeroCountBase;

        public CountsLayout(long lowestDiscernibleValue, int significantDigits)
        {
            long largestValueWithSingleUnitResolution = 2 * (long)Math.Pow(10, significantDigits);
            _unitMagnitude = BitOperations.Log2((ulong)lowestDiscernibleValue);
            int subBucketCountMagnitude = BitOperations.Log2((ulong)largestValueWithSingleUnitResolution - 1) + 1; // ceil(log2)
            _subBucketHalfCountMagnitude = Math.Max(subBucketCountMagnitude, 1) - 1;
            int subBucketCount = 1 << (_subBucketHalfCountMagnitude + 1);
            _subBucketHalfCount = subBucketCount / 2;
            _subBucketMask = (long)(subBucketCount - 1) << _unitMagnitude;
            _leadingZeroCountBase = 64 - _unitMagnitude - _subBucketHalfCountMagnitude - 1;
        }

        public int IndexOf(long value)
        {
            int bucketIndex = _leadingZeroCountBase - BitOperations.LeadingZeroCount((ulong)(value | _subBucketMask));
            int subBucketIndex = (int)(value >>> (bucketIndex + _unitMagnitude));
            return ((bucketIndex + 1) << _subBucketHalfCountMagnitude) + (subBucketIndex - _subBucketHalfCount);
        }

        /// <summary>The lowest value whose count sits at <paramref name="index"/> (Java's valueFromIndex): IndexOf of it is index again.</summary>
        public long ValueAt(int index)
        {
            int bucketIndex = (index >> _subBucketHalfCountMagnitude) - 1;
            int subBucketIndex = (index & (_subBucketHalfCount - 1)) + _subBucketHalfCount;
            if (bucketIndex < 0)
            {
                subBucketIndex -= _subBucketHalfCount; // the first half bucket is bucket 0's lower half
                bucketIndex = 0;
            }
            return (long)subBucketIndex << (bucketIndex + _unitMagnitude);
        }
    }

    /// <summary>Java's ZigZagEncoding.putLong and getLong: zig-zag, then LEB128 in at most 9 bytes (the ninth carries 8 bits).</summary>
    internal static class ZigZag
    {
        public static void Write(IBufferWriter<byte> output, long value)
        {
            ulong bits = (ulong)((value << 1) ^ (value >> 63));
            var span = output.GetSpan(9);
            int length = 0;
            while (length < 8 && bits >= 0x80)
            {
                span[length++] = (byte)(bits | 0x80);
                bits >>= 7;
            }
            span[length++] = (byte)bits; // after 8 bytes of 7 bits, at most 8 bits are left
            output.Advance(length);
        }

        /// <summary>The value at the start of <paramref name="input"/>, which is moved past it; a value cut short throws.</summary>
        public static long Read(ref ReadOnlySpan<byte> input)
        {
            ulong bits = 0;
            int length = 0;
            while (true)
            {
                if (length == input.Length)
                {
                    throw new InvalidDataException("a count in the V2 encoding is cut short");
                }
                byte next = input[length];
                if (length == 8)
                {
                    bits |= (ulong)next << 56; // the ninth byte's 8 bits, no continuation flag
                    length++;
                    break;
                }
                bits |= (ulong)(next & 0x7f) << (7 * length);
                length++;
                if (next < 0x80)
                {
                    break;
                }
            }
            input = input[length..];
            return (long)(bits >> 1) ^ -(long)(bits & 1);
        }
    }
}
