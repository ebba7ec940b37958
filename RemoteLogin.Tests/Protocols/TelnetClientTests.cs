using System.Buffers;
using RemoteLogin.Protocols;
using RemoteLogin.Protocols.Telnet;
using RemoteLogin.Tests.Support;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Tests.Protocols;

/// <summary>The client end of telnet against a scripted server on a real loopback connection.</summary>
public class TelnetClientTests
{
    /// <summary>What the daemon sends on connect, in one write.</summary>
    private static readonly byte[] Greeting = [Iac, Dont, Linemode, Iac, Will, Echo, Iac, Will, SuppressGoAhead];

    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_greeting_in_one_write_is_answered_with_exactly_DO_ECHO_and_DO_SGA()
    {
        using var pair = LoopbackPair.Open();
        pair.Server.Send(Greeting);
        var client = new TelnetClient();
        client.Open(pair.Client, OpenTimeout);
        pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        // DONT LINEMODE asks for what is already off, so the Q method says nothing to it.
        Assert.Equal([Iac, Do, Echo, Iac, Do, SuppressGoAhead], pair.ServerReceiveToEnd());
        Assert.True(client.RemoteEchoes);
        Assert.True(client.GoAheadSuppressed);
    }

    [Fact]
    public async Task The_greeting_in_one_byte_writes_is_answered_the_same()
    {
        using var pair = LoopbackPair.Open();
        var client = new TelnetClient();
        var opening = Task.Run(() => client.Open(pair.Client, OpenTimeout));
        foreach (byte b in Greeting)
        {
            pair.Server.Send([b]);
        }
        Assert.Equal([Iac, Do, Echo], pair.ServerReceiveExactly(3)); // answered as soon as WILL ECHO is whole
        await opening.WaitAsync(EchoClient.SafetyLimit);
        pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        Assert.Equal([Iac, Do, SuppressGoAhead], pair.ServerReceiveToEnd());
    }

    [Fact]
    public void Data_sent_with_the_greeting_is_shown_by_the_first_decode()
    {
        using var pair = LoopbackPair.Open();
        pair.Server.Send([.. Greeting, .. "welcome\r\n"u8]);
        var client = new TelnetClient();
        client.Open(pair.Client, OpenTimeout);

        var display = new ArrayBufferWriter<byte>();
        var replies = new ArrayBufferWriter<byte>();
        client.Decode("x"u8, display, replies);
        Assert.Equal("welcome\r\nx"u8.ToArray(), display.WrittenSpan.ToArray());
        Assert.Equal(0, replies.WrittenCount);
    }

    [Fact]
    public async Task A_server_that_streams_before_its_offers_fails_the_opening_once_past_the_cap()
    {
        using var pair = LoopbackPair.Open();
        var flood = Task.Run(() =>
        {
            var chunk = new byte[16 * 1024];
            Array.Fill(chunk, (byte)'z');
            try
            {
                for (int sent = 0; sent < 64 * TelnetClient.MaxEarlyBytes; sent += chunk.Length)
                {
                    pair.Server.Send(chunk);
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // the client gave up, as it should
            }
        });
        var failure = Assert.Throws<LoginProtocolException>(() => new TelnetClient().Open(pair.Client, OpenTimeout));
        Assert.Contains("before offering ECHO", failure.Message);
        pair.Client.Close();
        await flood.WaitAsync(OpenTimeout);
    }

    [Fact]
    public void A_server_that_never_offers_echo_fails_the_opening_with_a_clear_message()
    {
        using var pair = LoopbackPair.Open();
        pair.Server.Send("not telnet\r\n"u8);
        var failure = Assert.Throws<LoginProtocolException>(() => new TelnetClient().Open(pair.Client, TimeSpan.FromMilliseconds(200)));
        Assert.StartsWith("telnet: the server did not offer ECHO", failure.Message);

        using var closing = LoopbackPair.Open();
        closing.Server.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        failure = Assert.Throws<LoginProtocolException>(() => new TelnetClient().Open(closing.Client, OpenTimeout));
        Assert.Equal("telnet: the server closed the connection during option negotiation", failure.Message);
    }

    [Fact]
    public void Typed_IAC_is_doubled_and_a_typed_CR_becomes_CR_NUL()
    {
        var wire = new ArrayBufferWriter<byte>();
        new TelnetClient().Encode([(byte)'a', Iac, (byte)'b', Cr, Cr, Lf, Iac], wire);
        Assert.Equal([(byte)'a', Iac, Iac, (byte)'b', Cr, Nul, Cr, Nul, Lf, Iac, Iac], wire.WrittenSpan.ToArray());

        wire.Clear();
        new TelnetClient().Encode("plain"u8, wire);
        Assert.Equal("plain"u8.ToArray(), wire.WrittenSpan.ToArray());
    }

    [Fact]
    public void Decoding_undoes_the_escapes_and_answers_requests_the_client_refuses()
    {
        var client = new TelnetClient();
        var display = new ArrayBufferWriter<byte>();
        var replies = new ArrayBufferWriter<byte>();
        byte[] received = [(byte)'a', Iac, Iac, (byte)'b', Cr, Nul, Iac, Do, 24, (byte)'c', Cr, Lf, Iac, Will, 99, Iac, 249];
        // Split at every position: the reader's state carries across calls.
        for (int at = 0; at <= received.Length; at++)
        {
            client = new TelnetClient();
            display.Clear();
            replies.Clear();
            client.Decode(received.AsSpan(0, at), display, replies);
            client.Decode(received.AsSpan(at), display, replies);
            Assert.Equal([(byte)'a', Iac, (byte)'b', Cr, (byte)'c', Cr, Lf], display.WrittenSpan.ToArray());
            Assert.Equal([Iac, Wont, 24, Iac, Dont, 99], replies.WrittenSpan.ToArray());
        }
        // An option already agreed is not answered again (Q method), so two ends cannot echo each other's answers.
        replies.Clear();
        client.Decode([Iac, Will, Echo], display, replies);
        Assert.Equal([Iac, Do, Echo], replies.WrittenSpan.ToArray());
        client.Decode([Iac, Will, Echo], display, replies);
        Assert.Equal([Iac, Do, Echo], replies.WrittenSpan.ToArray());
    }

    [Fact]
    public void What_encode_writes_decodes_back_to_what_was_typed()
    {
        var random = new Random(854);
        for (int round = 0; round < 200; round++)
        {
            var typed = new byte[random.Next(0, 100)];
            random.NextBytes(typed);
            var wire = new ArrayBufferWriter<byte>();
            new TelnetClient().Encode(typed, wire);
            var display = new ArrayBufferWriter<byte>();
            var replies = new ArrayBufferWriter<byte>();
            new TelnetClient().Decode(wire.WrittenSpan, display, replies);
            Assert.Equal(typed, display.WrittenSpan.ToArray());
        }
    }
}
