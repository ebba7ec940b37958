using System.Text;
using RemoteLogin.Protocols.Rlogin;

namespace RemoteLogin.Tests.Protocols;

/// <summary>RFC 1282's handshake and window-size messages, whole, split anywhere, and malformed.</summary>
public class RloginTests
{
    [Fact]
    public void A_handshake_split_at_every_position_gives_the_same_fields_and_leaves_the_data()
    {
        byte[] stream = [.. "\0alice\0bob\0xterm/38400\0"u8, .. "ls\r"u8];
        int handshakeBytes = stream.Length - 3;
        for (int at = 1; at < stream.Length; at++)
        {
            var handshake = new RloginHandshake();
            var first = handshake.Read(stream.AsSpan(0, at), out int consumedFirst);
            int consumed = consumedFirst;
            if (first == RloginHandshakeStatus.NeedMore)
            {
                Assert.Equal(RloginHandshakeStatus.Complete, handshake.Read(stream.AsSpan(at), out int consumedSecond));
                consumed += consumedSecond;
            }
            else
            {
                Assert.Equal(RloginHandshakeStatus.Complete, first);
            }
            Assert.Equal(handshakeBytes, consumed);
            Assert.Equal(("alice", "bob", "xterm/38400"), (handshake.ClientUser, handshake.ServerUser, handshake.TerminalSpeed));
        }
    }

    [Theory]
    [InlineData("alice\0bob\0xterm/9600\0", "handshake does not start with NUL")]
    [InlineData("\0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0bob\0xterm\0", "client user longer than 64 bytes")]
    [InlineData("\0alice\0bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\0xterm\0", "server user longer than 64 bytes")]
    public void A_malformed_handshake_is_refused_with_a_reason(string stream, string reason)
    {
        var handshake = new RloginHandshake();
        Assert.Equal(RloginHandshakeStatus.Malformed, handshake.Read(Encoding.Latin1.GetBytes(stream), out _));
        Assert.Equal(reason, handshake.Error);
        Assert.Equal(RloginHandshakeStatus.Malformed, handshake.Read("\0"u8, out _)); // and stays refused
    }

    [Fact]
    public void A_handshake_without_NULs_is_refused_once_it_has_sent_too_much()
    {
        var handshake = new RloginHandshake();
        Assert.Equal(RloginHandshakeStatus.NeedMore, handshake.Read("\0"u8, out _));
        var status = RloginHandshakeStatus.NeedMore;
        int sent = 1;
        while (status == RloginHandshakeStatus.NeedMore && sent < 10_000)
        {
            status = handshake.Read("x"u8, out _);
            sent++;
        }
        Assert.Equal(RloginHandshakeStatus.Malformed, status);
        Assert.InRange(sent, 2, RloginHandshake.MaxTotalBytes);
    }

    [Fact]
    public void Window_size_messages_are_taken_out_of_the_data_however_the_reads_fall()
    {
        byte[] message = [0xFF, 0xFF, (byte)'s', (byte)'s', 0, 24, 0, 80, 0x02, 0x80, 0x01, 0xE0];
        byte[] stream = [.. "ab"u8, 0xFF, .. message, (byte)'c', 0xFF, 0xFF, (byte)'x', 0xFF, 0xFF, .. message, (byte)'d', 0xFF];
        string expected = "data ab\u00ff|window 24x80 640x480|data c\u00ff\u00ffx\u00ff\u00ff|window 24x80 640x480|data d\u00ff";

        Assert.Equal(expected, Filter(stream, [stream.Length]));
        for (int at = 1; at < stream.Length; at++)
        {
            Assert.Equal(expected, Filter(stream, [at, stream.Length - at]));
        }
        var random = new Random(1282);
        for (int round = 0; round < 500; round++)
        {
            var cuts = new List<int>();
            for (int left = stream.Length; left > 0;)
            {
                int length = Math.Min(random.Next(1, 5), left);
                cuts.Add(length);
                left -= length;
            }
            Assert.Equal(expected, Filter(stream, cuts));
        }
    }

    private static string Filter(byte[] stream, IEnumerable<int> reads)
    {
        var sink = new RecordingSink();
        var filter = new RloginWindowFilter();
        int at = 0;
        foreach (int length in reads)
        {
            filter.Read(stream.AsSpan(at, length), sink);
            at += length;
        }
        filter.Flush(sink);
        return string.Join("|", sink.Events);
    }

    private sealed class RecordingSink : IRloginSink
    {
        public List<string> Events { get; } = [];

        public void Data(ReadOnlySpan<byte> data)
        {
            string text = Encoding.Latin1.GetString(data);
            if (Events.Count > 0 && Events[^1].StartsWith("data ", StringComparison.Ordinal))
            {
                Events[^1] += text;
            }
            else
            {
                Events.Add("data " + text);
            }
        }

        public void WindowSize(ushort rows, ushort columns, ushort xPixels, ushort yPixels) =>
            Events.Add($"window {rows}x{columns} {xPixels}x{yPixels}");
    }
}
