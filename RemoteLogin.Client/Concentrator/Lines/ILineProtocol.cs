using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Concentrator.Lines;

/// <summary>
/// What a terminal speaks to the concentrator, answered as a terminal server answers it: the opening (telnet's offer,
/// rlogin's handshake) and a line's codec, which turns what the terminal sends into the host's bytes and the host's
/// bytes into what the terminal is shown. The host sees only a terminal's bytes, as a raw session would.
/// </summary>
internal interface ILineProtocol
{
    WireProtocol Name { get; }

    /// <summary>Everything before the terminal's first byte for the host; <paramref name="deadline"/> ends one that takes too long.</summary>
    ValueTask<LineOpening> OpenAsync(Socket terminal, CancellationToken deadline);

    /// <summary>A fresh line's codec, as the opening leaves it.</summary>
    ILineCodec NewCodec();
}

/// <summary>How an opening went: <see cref="Error"/> is null when the terminal may start, or says why it was turned away.</summary>
internal readonly record struct LineOpening(string? Error)
{
    public static LineOpening Done => default;
}

/// <summary>One terminal's translation, both ways. Hot paths: no exceptions, a result to say what happened.</summary>
internal interface ILineCodec
{
    /// <summary>
    /// The host's bytes of <paramref name="received"/>, the terminal's next bytes: exactly those bytes
    /// (<see cref="Decoded.Received"/>, no copy), or what was written to <paramref name="toHost"/>; answers the
    /// concentrator owes the terminal itself (negotiations, AYT) go to <paramref name="toTerminal"/>.
    /// </summary>
    Decoded FromTerminal(ReadOnlySpan<byte> received, IBufferWriter<byte> toHost, IBufferWriter<byte> toTerminal);

    /// <summary>The terminal has stopped sending: whatever the codec still holds, for the host.</summary>
    void Finish(IBufferWriter<byte> toHost);

    /// <summary>
    /// Bytes of earlier reads the codec holds and may still hand the host, on top of a read's own: a read takes at most
    /// the window less these, so the host is never sent more than it granted. Decoding never grows a read otherwise.
    /// </summary>
    int Held { get; }

    /// <summary>What the terminal is shown of <paramref name="fromHost"/>; at least one byte for each of the host's.</summary>
    void ToTerminal(ReadOnlySpan<byte> fromHost, IBufferWriter<byte> toTerminal);
}

internal enum DecodedAs
{
    Received,
    Written,
    /// <summary>The terminal broke its protocol: its line ends, and <see cref="Decoded.Error"/> says how.</summary>
    Broken,
}

internal readonly record struct Decoded(DecodedAs As, string? Error = null)
{
    public static Decoded Received => new(DecodedAs.Received);

    public static Decoded Written => new(DecodedAs.Written);

    public static Decoded Broken(string error) => new(DecodedAs.Broken, error);
}

internal static class LineProtocols
{
    public static ILineProtocol For(WireProtocol protocol) => protocol switch
    {
        WireProtocol.Raw => RawLine.Instance,
        WireProtocol.Telnet => TelnetLine.Instance,
        WireProtocol.Rlogin => RloginLine.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "a terminal speaks raw, telnet or rlogin"),
    };
}
