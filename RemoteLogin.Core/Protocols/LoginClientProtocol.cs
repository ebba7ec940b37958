using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Protocols.Telnet;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Protocols;

/// <summary>
/// One session's client end of a wire protocol. An instance keeps the session's parser state, so it serves one
/// connection: <see cref="Open"/> once, then <see cref="Encode"/> on the typing side and <see cref="Decode"/> on the
/// receiving side (one thread each is fine: they share no state).
/// </summary>
public abstract class LoginClientProtocol
{
    public static LoginClientProtocol For(WireProtocol protocol) => protocol switch
    {
        WireProtocol.Raw => new RawClient(),
        WireProtocol.Telnet => new TelnetClient(),
        WireProtocol.Rlogin => new RloginClient(),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "no client for this protocol"),
    };

    /// <summary>
    /// Blocking, on a connected socket: everything before the first typed byte, within <paramref name="timeout"/> for
    /// the whole opening. Throws <see cref="LoginProtocolException"/> when the server misbehaves or times out.
    /// </summary>
    public abstract void Open(Socket socket, TimeSpan timeout);

    /// <summary>Typed bytes to wire bytes.</summary>
    public abstract void Encode(ReadOnlySpan<byte> typed, IBufferWriter<byte> wire);

    /// <summary>Server bytes to what the terminal shows, plus replies the caller must send to the server.</summary>
    public abstract void Decode(ReadOnlySpan<byte> received, IBufferWriter<byte> display, IBufferWriter<byte> replies);

    /// <summary>
    /// True when the server sends control bytes as TCP urgent data (rlogin): the caller must then watch the socket for
    /// urgent data (POLLPRI), read it with <see cref="SocketFlags.OutOfBand"/> and hand it to <see cref="Urgent"/>.
    /// </summary>
    public virtual bool UsesUrgentData => false;

    /// <summary>One urgent control byte from the server; <paramref name="size"/> is the terminal's size now.</summary>
    public virtual void Urgent(byte control, TerminalSize size, IBufferWriter<byte> replies)
    {
    }

    /// <summary>The terminal was resized: writes what the server must be told, if it asked to be told.</summary>
    public virtual void WindowChanged(TerminalSize size, IBufferWriter<byte> replies)
    {
    }
}
