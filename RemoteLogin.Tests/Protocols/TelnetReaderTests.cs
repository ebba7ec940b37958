using RemoteLogin.Protocols.Telnet;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Tests.Protocols;

/// <summary>The telnet reader against streams read whole and split anywhere, well-formed and not.</summary>
public class TelnetReaderTests
{
    private static readonly byte[] Sample =
    [
        (byte)'l', (byte)'s', Cr, Nul, Iac, Iac, (byte)'x', Iac, Do, Echo, Cr, Lf,
        Iac, Sb, 24, 1, Iac, Iac, 2, Iac, Se, (byte)'y', Iac, 241, Cr, Iac, Will, SuppressGoAhead, Cr, Nul,
    ];

    [Fact]
    public void Commands_escapes_and_line_ends_come_out_as_RFC_854_says()
    {
        var events = Parse(Sample, Sample.Length);

        Assert.Equal(
            [
                "data ls\r\u00ffx", "negotiation 253 1", "data \r\n", "subnegotiation 24 [1,255,2]", "data y",
                "command 241", "data \r", "negotiation 251 3", "data \r",
            ],
            events);
    }

    [Fact]
    public void Splitting_the_stream_at_every_position_changes_nothing()
    {
        var whole = Parse(Sample, Sample.Length);
        for (int at = 1; at < Sample.Length; at++)
        {
            var sink = new RecordingSink();
            var reader = new TelnetReader();
            Assert.Equal(TelnetReadStatus.Ok, reader.Read(Sample.AsSpan(0, at), sink));
            Assert.Equal(TelnetReadStatus.Ok, reader.Read(Sample.AsSpan(at), sink));
            Assert.Equal(whole, sink.Events);
        }
    }

    [Fact]
    public void Random_streams_split_at_random_points_parse_as_they_do_whole()
    {
        var random = new Random(854);
        for (int round = 0; round < 2000; round++)
        {
            // Weighted towards the bytes that matter, so commands, escapes and line ends are common.
            byte[] special = [Iac, Iac, Cr, Nul, Lf, Sb, Se, Will, Do, 241];
            var stream = new byte[random.Next(1, 200)];
            for (int i = 0; i < stream.Length; i++)
            {
                stream[i] = random.Next(3) == 0 ? special[random.Next(special.Length)] : (byte)random.Next(256);
            }

            var whole = new RecordingSink();
            var wholeStatus = new TelnetReader().Read(stream, whole);

            var pieces = new RecordingSink();
            var reader = new TelnetReader();
            var status = TelnetReadStatus.Ok;
            for (int at = 0; at < stream.Length && status == TelnetReadStatus.Ok;)
            {
                int length = Math.Min(random.Next(1, 8), stream.Length - at);
                status = reader.Read(stream.AsSpan(at, length), pieces);
                at += length;
            }

            Assert.Equal(wholeStatus, status);
            Assert.Equal(whole.Events, pieces.Events);
        }
    }

    [Fact]
    public void Plain_data_is_handed_on_as_slices_of_the_input_not_copies()
    {
        var input = "hello, no IAC here\r\n"u8.ToArray();
        var sink = new RecordingSink { Input = input };

        new TelnetReader().Read(input, sink);

        Assert.Equal(1, sink.SlicesOfInput);
        Assert.Equal(["data hello, no IAC here\r\n"], sink.Events);
    }

    [Fact]
    public void A_subnegotiation_that_never_ends_is_refused_at_the_cap_whatever_the_reads()
    {
        var reader = new TelnetReader(maxSubnegotiationBytes: 64);
        var sink = new RecordingSink();
        Assert.Equal(TelnetReadStatus.Ok, reader.Read([Iac, Sb, 39], sink));
        var filler = new byte[16];
        Array.Fill(filler, (byte)'A');
        var status = TelnetReadStatus.Ok;
        int reads = 0;
        while (status == TelnetReadStatus.Ok && reads < 1000)
        {
            status = reader.Read(filler, sink);
            reads++;
        }

        Assert.Equal(TelnetReadStatus.SubnegotiationTooLong, status);
        Assert.Equal(5, reads); // 64 bytes fit in four reads; the fifth runs over
        Assert.Empty(sink.Events);
    }

    private static List<string> Parse(byte[] stream, int length)
    {
        var sink = new RecordingSink();
        Assert.Equal(TelnetReadStatus.Ok, new TelnetReader().Read(stream.AsSpan(0, length), sink));
        return sink.Events;
    }

    /// <summary>Events in order; consecutive data merged, since where data is cut is the reader's business.</summary>
    private sealed class RecordingSink : ITelnetSink
    {
        public List<string> Events { get; } = [];

        public byte[]? Input { get; init; }

        public int SlicesOfInput { get; private set; }

        public void Data(ReadOnlySpan<byte> data)
        {
            Assert.False(data.IsEmpty);
            if (Input is not null && Input.AsSpan().Overlaps(data))
            {
                SlicesOfInput++;
            }
            string text = string.Concat(data.ToArray().Select(b => (char)b));
            if (Events.Count > 0 && Events[^1].StartsWith("data ", StringComparison.Ordinal))
            {
                Events[^1] += text;
            }
            else
            {
                Events.Add("data " + text);
            }
        }

        public void Command(byte command) => Events.Add($"command {command}");

        public void Negotiation(byte verb, byte option) => Events.Add($"negotiation {verb} {option}");

        public void Subnegotiation(byte option, ReadOnlySpan<byte> parameters) =>
            Events.Add($"subnegotiation {option} [{string.Join(",", parameters.ToArray())}]");
    }
}
