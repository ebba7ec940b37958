using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols.Mux;

/// <summary>
/// mux as the sessions see it: each terminal's session gets the terminal's bytes already taken out of their frames
/// (<see cref="MuxConnection"/>), and a concentrator has answered the terminals' own openings, so a terminal has no
/// opening here and echoes as raw does. The framing of the connection itself is the connection's, not a session's.
/// </summary>
internal sealed class MuxProtocol : ILoginProtocol
{
    public static MuxProtocol Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Mux;

    public ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline) => ValueTask.FromResult(Opening.Done);

    public IEchoFraming NewFraming() => RawProtocol.Instance;
}
