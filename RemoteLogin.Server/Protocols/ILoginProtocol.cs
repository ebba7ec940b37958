using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Server.Protocols.Mux;
using RemoteLogin.Server.Protocols.Rlogin;
using RemoteLogin.Server.Protocols.Telnet;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols;

/// <summary>
/// A wire protocol as the daemon speaks it, in two parts that never meet: the opening (greeting, handshake), which the
/// daemon runs before a session gets its subdaemon, and the framing of the echo, which runs wherever the echo runs.
/// The framing starts in the state the opening leaves, so a subdaemon child can make its own from the protocol's name.
/// </summary>
internal interface ILoginProtocol
{
    WireProtocol Name { get; }

    /// <summary>
    /// Everything before the first echo; <paramref name="deadline"/> ends a handshake that takes too long. It must leave
    /// the descriptor as it was accepted, blocking and unknown to .NET's epoll (<see cref="OpeningWait"/>): the session
    /// may be served by a blocking thread or a child process.
    /// </summary>
    ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline);

    /// <summary>A fresh session's framing, as the opening leaves it.</summary>
    IEchoFraming NewFraming();
}

/// <summary>How an opening went: <see cref="Error"/> is null when the session may start, or says why it is closed.</summary>
internal readonly record struct Opening(string? Error)
{
    public static Opening Done => default;

    public bool Succeeded => Error is null;
}

/// <summary>One session's echo as its protocol shapes it: which received bytes go back as they are, and what goes back instead.</summary>
internal interface IEchoFraming
{
    /// <summary>Whether received bytes need looking at; raw's never do, so zerocopy need not peek at them.</summary>
    bool InspectsData { get; }

    /// <summary>
    /// The echo of <paramref name="received"/>, the next bytes of the client's stream: exactly those bytes
    /// (<see cref="FramedAs.Received"/>, the fast path), or what was written to <paramref name="echo"/> (possibly nothing).
    /// </summary>
    Framed Frame(ReadOnlySpan<byte> received, IBufferWriter<byte> echo);

    /// <summary>The client has stopped sending: the echo of whatever the framing still holds.</summary>
    void Finish(IBufferWriter<byte> echo);
}

internal enum FramedAs
{
    Received,
    Written,
    /// <summary>The client broke the protocol: the session ends, and <see cref="Framed.Error"/> says how.</summary>
    Broken,
}

internal readonly record struct Framed(FramedAs As, string? Error = null)
{
    public static Framed Received => new(FramedAs.Received);

    public static Framed Written => new(FramedAs.Written);

    public static Framed Broken(string error) => new(FramedAs.Broken, error);
}

internal static class LoginProtocols
{
    public static ILoginProtocol For(WireProtocol protocol) => protocol switch
    {
        WireProtocol.Raw => RawProtocol.Instance,
        WireProtocol.Telnet => TelnetProtocol.Instance,
        WireProtocol.Rlogin => RloginProtocol.Instance,
        WireProtocol.Mux => MuxProtocol.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };
}
