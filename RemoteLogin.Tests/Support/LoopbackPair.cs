using System.Net.Sockets;
using RemoteLogin.Sockets;

namespace RemoteLogin.Tests.Support;

/// <summary>Two ends of one real loopback TCP connection (port 0), for scripting a server against a client, with bounded reads.</summary>
internal sealed class LoopbackPair : IDisposable
{
    private readonly LoopbackConnection _connection;

    private LoopbackPair(LoopbackConnection connection) => _connection = connection;

    public Socket Client => _connection.Client;

    public Socket Server => _connection.Server;

    public static LoopbackPair Open()
    {
        var connection = LoopbackConnection.Open();
        // Blocking reads in the tests are bounded, so a broken client fails the test instead of hanging it.
        connection.Server.ReceiveTimeout = (int)EchoClient.SafetyLimit.TotalMilliseconds;
        connection.Client.ReceiveTimeout = (int)EchoClient.SafetyLimit.TotalMilliseconds;
        return new LoopbackPair(connection);
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

    public void Dispose() => _connection.Dispose();
}
