using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// An echo server that misbehaves on purpose: it drops, duplicates or corrupts the bytes at given positions of
/// the stream (counted from the first byte of the connection), so the client's integrity check has something to catch.
/// </summary>
public sealed class FaultyEchoServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;

    public FaultyEchoServer(long dropAt = -1, long duplicateAt = -1, long corruptAt = -1)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _thread = new Thread(() => Serve(dropAt, duplicateAt, corruptAt)) { IsBackground = true };
        _thread.Start();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(10));
    }

    private void Serve(long dropAt, long duplicateAt, long corruptAt)
    {
        Socket connection;
        try
        {
            connection = _listener.Accept();
        }
        catch (SocketException)
        {
            return;
        }
        using (connection)
        {
            connection.NoDelay = true;
            var buffer = new byte[4096];
            var reply = new List<byte>();
            long position = 0;
            int received;
            while ((received = connection.Receive(buffer)) > 0)
            {
                reply.Clear();
                foreach (byte b in buffer.AsSpan(0, received))
                {
                    if (position == duplicateAt)
                    {
                        reply.Add(b);
                    }
                    if (position != dropAt)
                    {
                        reply.Add(position == corruptAt ? (byte)(b ^ 0x20) : b);
                    }
                    position++;
                }
                connection.Send(reply.ToArray());
            }
            connection.Shutdown(SocketShutdown.Send);
        }
    }
}
