using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Protocols;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Protocols;

/// <summary>The client end of rlogin against a scripted server on a real loopback connection.</summary>
public class RloginClientTests
{
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_opening_names_the_users_and_terminal_and_is_accepted_by_one_NUL()
    {
        using var pair = LoopbackPair.Open();
        var client = new RloginClient("alice", "bob", "xterm");
        var opening = Task.Run(() => client.Open(pair.Client, OpenTimeout));

        var handshake = new RloginHandshake();
        var buffer = new byte[512];
        var status = RloginHandshakeStatus.NeedMore;
        while (status == RloginHandshakeStatus.NeedMore)
        {
            int received = pair.Server.Receive(buffer);
            Assert.NotEqual(0, received);
            status = handshake.Read(buffer.AsSpan(0, received), out int consumed);
            Assert.Equal(received, consumed); // nothing after the handshake until the server answers
        }
        Assert.Equal(RloginHandshakeStatus.Complete, status);
        Assert.Equal(("alice", "bob", "xterm/38400"), (handshake.ClientUser, handshake.ServerUser, handshake.TerminalSpeed));

        pair.Server.Send([0]);
        await opening.WaitAsync(EchoClient.SafetyLimit);
    }

    [Fact]
    public void Fields_are_cut_to_the_servers_cap()
    {
        var handshake = new RloginHandshake();
        var bytes = new RloginClient(new string('a', 100), "b\0c", new string('t', 70)).Handshake();
        Assert.Equal(RloginHandshakeStatus.Complete, handshake.Read(bytes, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(new string('a', 64), handshake.ClientUser);
        Assert.Equal("bc", handshake.ServerUser);
        Assert.Equal(new string('t', 64), handshake.TerminalSpeed);
    }

    [Fact]
    public void A_refusal_is_reported_with_the_servers_text()
    {
        using var pair = LoopbackPair.Open();
        pair.Server.Send("\u0001Permission denied.\nmore that is not read"u8);
        var failure = Assert.Throws<LoginProtocolException>(() => new RloginClient("alice", "bob", "xterm").Open(pair.Client, OpenTimeout));
        Assert.Equal("rlogin: the server refused: Permission denied.", failure.Message);
    }

    [Fact]
    public void A_refusal_without_a_newline_is_reported_when_the_server_closes()
    {
        using var pair = LoopbackPair.Open();
        pair.Server.Send("no such user"u8);
        pair.Server.Shutdown(SocketShutdown.Send);
        var failure = Assert.Throws<LoginProtocolException>(() => new RloginClient("alice", "bob", "xterm").Open(pair.Client, OpenTimeout));
        Assert.Equal("rlogin: the server refused: no such user", failure.Message);
    }

    [Fact]
    public void A_server_that_closes_or_stays_silent_fails_the_opening()
    {
        using var closing = LoopbackPair.Open();
        closing.Server.Shutdown(SocketShutdown.Send);
        var failure = Assert.Throws<LoginProtocolException>(() => new RloginClient("a", "b", "t").Open(closing.Client, OpenTimeout));
        Assert.Equal("rlogin: the server closed the connection during the handshake", failure.Message);

        using var silent = LoopbackPair.Open();
        failure = Assert.Throws<LoginProtocolException>(() => new RloginClient("a", "b", "t").Open(silent.Client, TimeSpan.FromMilliseconds(200)));
        Assert.StartsWith("rlogin: the server did not answer the handshake within 0.2 s", failure.Message);
    }

    [Fact]
    public void The_window_size_message_is_what_the_servers_filter_reads()
    {
        var message = new ArrayBufferWriter<byte>();
        RloginClient.WindowSize(new TerminalSize(24, 80, 640, 480), message);
        Assert.Equal([0xFF, 0xFF, (byte)'s', (byte)'s', 0, 24, 0, 80, 0x02, 0x80, 0x01, 0xE0], message.WrittenSpan.ToArray());
    }

    /// <summary>
    /// The urgent byte stays out of the data (SO_OOBINLINE off), Socket.Poll(SelectError) sees it (POLLPRI on Linux),
    /// and a receive with OutOfBand reads it.
    /// </summary>
    [Fact]
    public void The_servers_urgent_request_is_seen_out_of_band_and_answered_with_the_window_size()
    {
        using var pair = LoopbackPair.Open();
        var client = new RloginClient("alice", "bob", "xterm");
        var replies = new ArrayBufferWriter<byte>();
        client.WindowChanged(new TerminalSize(10, 10), replies);
        Assert.Equal(0, replies.WrittenCount); // not asked yet

        pair.Server.Send("ab"u8);
        pair.Server.Send([RloginClient.SendWindowSize | RloginClient.RawMode], SocketFlags.OutOfBand);
        pair.Server.Send("cd"u8);

        bool urgentArrived = pair.Client.Poll(EchoClient.SafetyLimit, SelectMode.SelectError); // POLLPRI
        Assert.True(urgentArrived, "the urgent byte never showed as POLLPRI");
        var urgent = new byte[1];
        Assert.Equal(1, pair.Client.Receive(urgent, SocketFlags.OutOfBand));
        Assert.Equal(0x90, urgent[0]);
        client.Urgent(urgent[0], new TerminalSize(24, 80), replies);
        client.WindowChanged(new TerminalSize(50, 132), replies);
        var expected = new ArrayBufferWriter<byte>();
        RloginClient.WindowSize(new TerminalSize(24, 80), expected);
        RloginClient.WindowSize(new TerminalSize(50, 132), expected);
        Assert.Equal(expected.WrittenSpan.ToArray(), replies.WrittenSpan.ToArray());

        pair.Server.Shutdown(SocketShutdown.Send);
        var data = new List<byte>();
        var buffer = new byte[16];
        int received;
        while ((received = pair.Client.Receive(buffer)) > 0)
        {
            data.AddRange(buffer.AsSpan(0, received));
        }
        Assert.Equal("abcd"u8.ToArray(), data.ToArray());
    }
}
