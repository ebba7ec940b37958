using System.Buffers;
using System.Net.Sockets;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Protocols.Telnet;

/// <summary>
/// The client end of RFC 854 in character-at-a-time mode: the server must offer to ECHO and to suppress go-ahead,
/// and this end agrees to exactly those two and nothing else (RFC 1143's Q method answers, so negotiation cannot
/// loop). The reader and negotiator of the opening carry on into <see cref="Decode"/>, so a command split across
/// the last read of the opening and the first of the session is still understood.
/// </summary>
public sealed class TelnetClient : LoginClientProtocol
{
    private readonly TelnetReader _reader = new();
    private readonly OptionNegotiator _negotiator = new(
        acceptUs: _ => false,
        acceptHim: option => option is Echo or SuppressGoAhead);
    private readonly Sink _sink;

    /// <summary>
    /// Data that came in the same reads as the opening's negotiation: a server may greet as soon as it has offered
    /// its options, so the opening keeps that data and the first <see cref="Decode"/> shows it.
    /// </summary>
    private readonly ArrayBufferWriter<byte> _early = new();

    /// <summary>What a server may send before it has made its offers: a greeting, not a stream held in memory.</summary>
    public const int MaxEarlyBytes = 64 * 1024;

    public TelnetClient()
    {
        _sink = new Sink(_negotiator);
    }

    public bool RemoteEchoes => _negotiator.Him(Echo) == OptionNegotiator.Side.Yes;

    public bool GoAheadSuppressed => _negotiator.Him(SuppressGoAhead) == OptionNegotiator.Side.Yes;

    public override void Open(Socket socket, TimeSpan timeout)
    {
        var deadline = new OpeningDeadline(socket, timeout, "telnet");
        var replies = new ArrayBufferWriter<byte>();
        var buffer = new byte[1024];
        while (!(RemoteEchoes && GoAheadSuppressed))
        {
            int received = deadline.Receive(buffer, "did not offer ECHO and SUPPRESS-GO-AHEAD", "option negotiation");
            Read(buffer.AsSpan(0, received), _early, replies);
            if (_early.WrittenCount > MaxEarlyBytes)
            {
                throw new LoginProtocolException($"telnet: the server sent more than {MaxEarlyBytes / 1024} KiB before offering ECHO and SUPPRESS-GO-AHEAD");
            }
            if (replies.WrittenCount > 0)
            {
                deadline.Send(replies.WrittenSpan);
                replies.ResetWrittenCount();
            }
        }
    }

    /// <summary>IAC is doubled and a bare CR becomes CR NUL (RFC 854), so the server reads back exactly what was typed.</summary>
    public override void Encode(ReadOnlySpan<byte> typed, IBufferWriter<byte> wire)
    {
        while (true)
        {
            int special = typed.IndexOfAny(Iac, Cr);
            if (special < 0)
            {
                wire.Write(typed);
                return;
            }
            wire.Write(typed[..(special + 1)]);
            var escape = wire.GetSpan(1);
            escape[0] = typed[special] == Iac ? Iac : Nul;
            wire.Advance(1);
            typed = typed[(special + 1)..];
        }
    }

    /// <summary>
    /// Data goes to <paramref name="display"/> straight from the slices the reader hands out (the one copy); option
    /// requests are answered into <paramref name="replies"/>. Throws <see cref="LoginProtocolException"/> only for a
    /// stream that cannot go on (a subnegotiation past the reader's cap).
    /// </summary>
    public override void Decode(ReadOnlySpan<byte> received, IBufferWriter<byte> display, IBufferWriter<byte> replies)
    {
        if (_early.WrittenCount > 0)
        {
            display.Write(_early.WrittenSpan);
            _early.Clear();
        }
        Read(received, display, replies);
    }

    private void Read(ReadOnlySpan<byte> received, IBufferWriter<byte> display, IBufferWriter<byte> replies)
    {
        _sink.Display = display;
        _sink.Replies = replies;
        if (_reader.Read(received, _sink) != TelnetReadStatus.Ok)
        {
            throw new LoginProtocolException($"telnet: the server sent a subnegotiation longer than {TelnetReader.DefaultMaxSubnegotiationBytes} bytes");
        }
    }

    /// <summary>Routes what the reader finds: data to the display, negotiation to the Q method; the rest means nothing to a client that agrees to no options with parameters.</summary>
    private sealed class Sink(OptionNegotiator negotiator) : ITelnetSink
    {
        public IBufferWriter<byte> Display { get; set; } = null!;

        public IBufferWriter<byte> Replies { get; set; } = null!;

        public void Data(ReadOnlySpan<byte> data) => Display.Write(data);

        public void Command(byte command)
        {
        }

        public void Negotiation(byte verb, byte option) => negotiator.Receive(verb, option, Replies);

        public void Subnegotiation(byte option, ReadOnlySpan<byte> parameters)
        {
        }
    }
}
