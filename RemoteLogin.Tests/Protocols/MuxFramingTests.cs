using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Protocols;

/// <summary>The mux framing: every frame written reads back, split anywhere; every malformed header is refused with its reason, at the header.</summary>
public class MuxFramingTests
{
    [Fact]
    public void Every_frame_type_reads_back_as_written()
    {
        var output = new ArrayBufferWriter<byte>();
        MuxWriter.Open(output, 7, "127.0.0.1:40000");
        MuxWriter.Data(output, 7, "ls\r"u8);
        MuxWriter.Credit(output, 7, 16384);
        MuxWriter.Close(output, 7, "terminal went away");
        MuxWriter.Error(output, "bad frame");

        var frames = ReadAll(new ReadOnlySequence<byte>(output.WrittenMemory));

        Assert.Equal(
            ["Open 7 127.0.0.1:40000", "Data 7 ls\r", "Credit 7 16384", "Close 7 terminal went away", "Error 0 bad frame"],
            frames);
    }

    [Fact]
    public void Input_split_at_every_position_and_in_every_segment_reads_the_same_frames()
    {
        var stream = SampleStream();
        var whole = ReadAll(new ReadOnlySequence<byte>(stream));
        for (int at = 1; at < stream.Length; at++)
        {
            // As a connection reads: what is there, then the rest appended to what was left.
            var input = new ReadOnlySequence<byte>(stream, 0, at);
            var frames = new List<string>();
            Drain(ref input, frames);
            var rest = Segments.Split(stream.AsMemory((int)(at - input.Length)), (int)input.Length);
            Drain(ref rest, frames);
            Assert.Equal(0, rest.Length);
            Assert.Equal(whole, frames);

            // And the same input with a segment boundary here, the header included.
            Assert.Equal(whole, ReadAll(Segments.Split(stream, at)));
        }
    }

    [Fact]
    public void Data_longer_than_the_cap_goes_in_frames_of_the_cap_that_join_back_up()
    {
        var bytes = new byte[MuxLimits.MaxDataPayload * 2 + 100];
        new Random(5).NextBytes(bytes);
        var output = new ArrayBufferWriter<byte>();
        MuxWriter.Data(output, 3, Segments.Split(bytes, 10, 5000));

        var input = new ReadOnlySequence<byte>(output.WrittenMemory);
        var joined = new List<byte>();
        var lengths = new List<int>();
        MuxRead read;
        while ((read = MuxReader.TryRead(ref input)).Status == MuxReadStatus.Frame)
        {
            Assert.Equal((MuxFrameType.Data, (ushort)3), (read.Frame.Type, read.Frame.Terminal));
            lengths.Add((int)read.Frame.Payload.Length);
            joined.AddRange(read.Frame.Payload.ToArray());
        }
        Assert.Equal(MuxReadStatus.NeedMore, read.Status);
        Assert.All(lengths, l => Assert.InRange(l, 1, MuxLimits.MaxDataPayload));
        Assert.Equal(bytes, joined);
    }

    [Theory]
    [InlineData(9, 1, 0, MuxReadStatus.UnknownType, "frame type 9 on terminal 1 is none of")]
    [InlineData(0, 1, 0, MuxReadStatus.UnknownType, "frame type 0")]
    [InlineData(2, 1, MuxLimits.MaxDataPayload + 1, MuxReadStatus.Oversize, "DATA frame on terminal 1 announces 4097 bytes, over its cap of 4096")]
    [InlineData(1, 1, MuxLimits.MaxTextPayload + 1, MuxReadStatus.Oversize, "OPEN frame on terminal 1 announces 257 bytes")]
    [InlineData(4, 1, 65535, MuxReadStatus.Oversize, "over its cap of 4")]
    [InlineData(2, 1, 0, MuxReadStatus.BadPayload, "empty DATA frame on terminal 1")]
    [InlineData(4, 1, 2, MuxReadStatus.BadPayload, "(2 bytes)")]
    [InlineData(2, 0, 1, MuxReadStatus.BadTerminal, "DATA frame names terminal 0")]
    [InlineData(5, 4, 1, MuxReadStatus.BadTerminal, "ERROR frame names terminal 4")]
    public void A_malformed_header_is_refused_before_its_payload_arrives_and_says_why(byte type, ushort terminal, int length, MuxReadStatus status, string problem)
    {
        var header = new byte[MuxLimits.HeaderLength];
        header[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(1), terminal);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(3), (ushort)length);
        var input = new ReadOnlySequence<byte>(header);

        var read = MuxReader.TryRead(ref input);

        Assert.Equal(status, read.Status);
        Assert.True(read.IsMalformed);
        Assert.Contains(problem, read.Problem);
        Assert.Equal(header.Length, input.Length); // nothing consumed
    }

    [Fact]
    public void A_credit_of_nothing_is_refused()
    {
        byte[] frame = [(byte)MuxFrameType.Credit, 0, 1, 0, 4, 0, 0, 0, 0];
        var input = new ReadOnlySequence<byte>(frame);
        Assert.Equal(MuxReadStatus.BadPayload, MuxReader.TryRead(ref input).Status);
    }

    [Fact]
    public void Text_over_the_cap_is_cut_at_a_character_and_reads_back_as_its_start()
    {
        string reason = new string('é', MuxLimits.MaxTextPayload); // two bytes each: the cap falls on a character boundary or inside one
        var output = new ArrayBufferWriter<byte>();
        MuxWriter.Close(output, 2, "x" + reason);
        var input = new ReadOnlySequence<byte>(output.WrittenMemory);

        var read = MuxReader.TryRead(ref input);

        Assert.Equal(MuxReadStatus.Frame, read.Status);
        Assert.InRange(read.Frame.Payload.Length, MuxLimits.MaxTextPayload - 1, MuxLimits.MaxTextPayload);
        Assert.StartsWith(read.Frame.Text, "x" + reason);
        Assert.DoesNotContain('\uFFFD', read.Frame.Text);
    }

    [Fact]
    public void Random_input_never_throws_never_yields_a_frame_over_its_cap_and_stops_at_the_first_bad_header()
    {
        var random = new Random(1817);
        var statuses = new HashSet<MuxReadStatus>();
        int frames = 0;
        for (int round = 0; round < 20_000; round++)
        {
            // Headers of plausible types, terminals and lengths, so that every check past the type is reached too.
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            for (int at = 0; at + MuxLimits.HeaderLength <= bytes.Length; at += random.Next(MuxLimits.HeaderLength, 16))
            {
                bytes[at] = (byte)random.Next(0, 7);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 1), (ushort)random.Next(0, 3));
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 3), (ushort)(random.Next(4) == 0 ? random.Next(65536) : random.Next(0, 12)));
            }
            var input = Segments.Split(bytes, bytes.Length > 2 ? [random.Next(1, bytes.Length)] : []);
            MuxRead read;
            while ((read = MuxReader.TryRead(ref input)).Status == MuxReadStatus.Frame)
            {
                Assert.InRange(read.Frame.Payload.Length, 0, MuxReader.MaxPayload(read.Frame.Type));
                frames++;
            }
            statuses.Add(read.Status);
            Assert.False(string.IsNullOrEmpty(read.Problem));
        }
        Assert.InRange(frames, 1000, int.MaxValue);
        Assert.Equal(Enum.GetValues<MuxReadStatus>().Where(s => s != MuxReadStatus.Frame).Order(), statuses.Order());
    }

    [Fact]
    public void A_sender_never_gets_past_its_window_and_a_peer_cannot_grant_more_than_it_was_sent()
    {
        var window = new MuxSendWindow();
        Assert.Equal(MuxLimits.Window, window.Take(MuxLimits.Window + 1));
        Assert.Equal(0, window.Take(1));
        Assert.True(window.Grant(100));
        Assert.Equal(100, window.Take(1000));
        Assert.False(window.Grant(MuxLimits.Window + 1));
        Assert.True(window.Grant(MuxLimits.Window));
        Assert.False(window.Grant(1));
    }

    [Fact]
    public void A_receiver_grants_credit_in_lumps_and_finds_a_sender_past_its_window()
    {
        var window = new MuxReceiveWindow();
        Assert.True(window.Receive(MuxLimits.Window));
        Assert.False(window.Receive(1));
        Assert.Equal(0u, window.Consumed(MuxLimits.CreditThreshold - 1));
        Assert.False(window.Receive(1)); // consumed but not yet granted back: still the sender's debt
        Assert.Equal((uint)MuxLimits.CreditThreshold, window.Consumed(1));
        Assert.True(window.Receive(MuxLimits.CreditThreshold));
        Assert.False(window.Receive(1));
    }

    /// <summary>A connection's worth of frames for several terminals, with a header or two that will straddle any cut.</summary>
    private static byte[] SampleStream()
    {
        var output = new ArrayBufferWriter<byte>();
        MuxWriter.Open(output, 1, "a");
        MuxWriter.Open(output, 2, "b");
        MuxWriter.Data(output, 1, "hello"u8);
        MuxWriter.Data(output, 2, [0xFF, 0x00, 0x0D]);
        MuxWriter.Credit(output, 1, 1);
        MuxWriter.Data(output, 1, "!"u8);
        MuxWriter.Close(output, 2);
        MuxWriter.Close(output, 1, "done");
        return output.WrittenSpan.ToArray();
    }

    private static List<string> ReadAll(ReadOnlySequence<byte> input)
    {
        var frames = new List<string>();
        Drain(ref input, frames);
        Assert.Equal(0, input.Length);
        return frames;
    }

    private static void Drain(ref ReadOnlySequence<byte> input, List<string> frames)
    {
        MuxRead read;
        while ((read = MuxReader.TryRead(ref input)).Status == MuxReadStatus.Frame)
        {
            var frame = read.Frame;
            string payload = frame.Type switch
            {
                MuxFrameType.Credit => frame.Credit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => Encoding.Latin1.GetString(frame.Payload),
            };
            frames.Add($"{frame.Type} {frame.Terminal} {payload}");
        }
        Assert.Equal(MuxReadStatus.NeedMore, read.Status);
    }
}
