using System.Buffers;

namespace RemoteLogin.Protocols.Telnet;

/// <summary>
/// The remote-echo side's telnet policy, the daemon's and the concentrator's terminals' alike, in one place for the
/// opening and the framing: it will ECHO and SGA and lets the client suppress go-ahead, refusing everything else, and
/// it opens with WILL ECHO, WILL SGA and DONT LINEMODE. The opening sends the offer; the framing's negotiator has made
/// the same offer, so it waits for the answers, wherever the framing runs. Neither side calls the other.
/// </summary>
public static class TelnetOffer
{
    /// <summary>The offer's bytes, as the Q method makes them from a fresh negotiator.</summary>
    public static ReadOnlyMemory<byte> Greeting { get; } = Make(Policy());

    /// <summary>A session's negotiator, as the opening's greeting left it: the offers made, their answers awaited.</summary>
    public static OptionNegotiator Made()
    {
        var negotiator = Policy();
        Make(negotiator);
        return negotiator;
    }

    private static OptionNegotiator Policy() => new(
        acceptUs: option => option is TelnetCodes.Echo or TelnetCodes.SuppressGoAhead,
        acceptHim: option => option is TelnetCodes.SuppressGoAhead);

    private static byte[] Make(OptionNegotiator negotiator)
    {
        var offer = new ArrayBufferWriter<byte>(9);
        // LINEMODE is off until agreed, so the Q method has nothing to ask; this DONT is an announcement and changes no state.
        OptionNegotiator.Write(offer, TelnetCodes.Dont, TelnetCodes.Linemode);
        negotiator.EnableUs(TelnetCodes.Echo, offer);
        negotiator.EnableUs(TelnetCodes.SuppressGoAhead, offer);
        return offer.WrittenSpan.ToArray();
    }
}
