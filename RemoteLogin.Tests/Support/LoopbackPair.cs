using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Tests.Support;

/// <summary>Two ends of one real loopback TCP connection (port 0), for scripting a server against a client.</summary>
public sealed class LoopbackPair : IDisposable
{
    private LoopbackPair(Socket client, Socket server)
    {
        Client = client;
        Server = server;
    }

    public Socket Client { get; }

    public Socket Server { get; }

    public static LoopbackPair Open()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        server.NoDelay = true;
        // Blocking reads in the tests are bounded, so a broken client fails the test instead of hanging it.
        server.ReceiveTimeout = (int)EchoClient.SafetyLimit.TotalMilliseconds;
        client.ReceiveTimeout = (int)EchoClient.SafetyLimit.TotalMilliseconds;
        return new LoopbackPair(client, server);
    }

    /// <summary>Exactly <paramref name="count"/> bytes from the client (fails on an early close).</summary>
    public byte[] ServerReceiveExactly(int count)
    {
        var bytes = new byte[count];
        for (int got = 0; got < count;)
        {
            int received = Server.Receive(bytes.AsSpan(got));
            Assert.NotEqual(0, received);
            got += received;
        }
        return bytes;
    }

    /// <summary>Everything the client sends until it shuts down its sending side.</summary>
    public byte[] ServerReceiveToEnd()
    {
        var all = new List<byte>();
        var buffer = new byte[4096];
        int received;
        while ((received = Server.Receive(buffer)) > 0)
        {
            all.AddRange(buffer.AsSpan(0, received));
        }
        return all.ToArray();
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
