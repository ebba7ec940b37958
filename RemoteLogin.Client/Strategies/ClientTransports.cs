using System.Net;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Protocols;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Strategies;

internal static class ClientTransports
{
    /// <summary>
    /// Open a session to the daemon (TCP_NODELAY: the strategy, not Nagle, decides when bytes leave) and run the
    /// protocol's opening; from then on the session's text travels as itself (<see cref="TypedText.For"/>).
    /// </summary>
    public static ClientTransport Connect(BufferStrategy strategy, WireProtocol protocol, IPEndPoint daemon, TypedText text, TransportSettings settings)
    {
        var socket = new Socket(daemon.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(daemon);
            LoginClientProtocol.For(protocol).Open(socket, settings.EchoTimeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var echoes = new EchoWindow(settings.Window, text);
        return strategy switch
        {
            BufferStrategy.Naive => new NaiveTransport(socket, echoes, settings),
            BufferStrategy.Batched => new BatchedTransport(socket, echoes, settings),
            BufferStrategy.Pipelined => new PipelinedTransport(socket, echoes, settings),
            BufferStrategy.Zerocopy => new ZeroCopyTransport(socket, echoes, settings),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
        };
    }
}
