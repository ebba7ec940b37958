using System.Net.Sockets;
using RemoteLogin.Protocols.Telnet;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols.Telnet;

/// <summary>
/// RFC 854 as a remote-echo login: the daemon opens with WILL ECHO and WILL SGA, which together put a stock client
/// in character-at-a-time mode with the echo left to the daemon, and DONT LINEMODE, so that the client does not offer
/// to edit lines itself.
/// </summary>
internal sealed class TelnetProtocol : ILoginProtocol
{
    public static TelnetProtocol Instance { get; } = new();

    /// <summary>The daemon's own offers (<see cref="TelnetOffer"/>).</summary>
    public static ReadOnlyMemory<byte> Greeting => TelnetOffer.Greeting;

    public WireProtocol Name => WireProtocol.Telnet;

    /// <summary>A blocking send of a few bytes into an empty buffer never waits; an async one would leave the descriptor non-blocking (<see cref="OpeningWait"/>).</summary>
    public ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline)
    {
        connection.Send(Greeting.Span);
        return ValueTask.FromResult(Opening.Done);
    }

    public IEchoFraming NewFraming() => new TelnetEchoFraming();
}
