using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Protocols.Telnet;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols.Telnet;

/// <summary>
/// RFC 854 as a remote-echo login: the daemon opens with WILL ECHO and WILL SGA, which together put a stock client
/// in character-at-a-time mode with the echo left to the daemon, and DONT LINEMODE, so that the client does not offer
/// to edit lines itself.
/// </summary>
public sealed class TelnetProtocol : ILoginProtocol
{
    public static TelnetProtocol Instance { get; } = new();

    /// <summary>The daemon's own offers, as the Q method makes them from a fresh negotiator.</summary>
    public static ReadOnlyMemory<byte> Greeting { get; } = Offer(TelnetEchoFraming.NewNegotiator());

    public WireProtocol Name => WireProtocol.Telnet;

    /// <summary>A blocking send of a few bytes into an empty buffer never waits; an async one would leave the descriptor non-blocking (<see cref="OpeningWait"/>).</summary>
    public ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline)
    {
        connection.Send(Greeting.Span);
        return ValueTask.FromResult(Opening.Done);
    }

    public IEchoFraming NewFraming() => new TelnetEchoFraming();

    /// <summary>
    /// Makes the offers on <paramref name="negotiator"/> and returns their bytes. The opening sends them; the framing
    /// makes them too, so that its negotiator waits for the answers, wherever the framing runs.
    /// </summary>
    internal static byte[] Offer(OptionNegotiator negotiator)
    {
        var offer = new ArrayBufferWriter<byte>(9);
        // LINEMODE is off until agreed, so the Q method has nothing to ask; this DONT is an announcement and changes no state.
        OptionNegotiator.Write(offer, TelnetCodes.Dont, TelnetCodes.Linemode);
        negotiator.EnableUs(TelnetCodes.Echo, offer);
        negotiator.EnableUs(TelnetCodes.SuppressGoAhead, offer);
        return offer.WrittenSpan.ToArray();
    }
}
