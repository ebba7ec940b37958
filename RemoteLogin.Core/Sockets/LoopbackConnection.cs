using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>Both ends of one loopback TCP connection on an ephemeral port, TCP_NODELAY on each, and nothing else: what the floors run over, and what tests script a server on.</summary>
public sealed class LoopbackConnection : IDisposable
{
    private LoopbackConnection(Socket client, Socket server)
    {
        Client = client;
        Server = server;
    }

    public Socket Client { get; }

    public Socket Server { get; }

    public static LoopbackConnection Open()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        server.NoDelay = true;
        return new LoopbackConnection(client, server);
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
