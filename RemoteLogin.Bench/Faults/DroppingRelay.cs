using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Bench.Faults;

/// <summary>
/// A fault put on the path on purpose: a loopback relay between the load client and the daemon that forwards every
/// byte both ways except one byte of the echo. The bench puts it in front of the daemon in one round only
/// (<c>--drop-byte-in-round</c>, hidden), so a test can prove that a round losing a byte fails its run even when that
/// round is not the median one. One connection; the bench's paste and interactive scenarios open no more.
/// </summary>
public sealed class DroppingRelay : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _daemon;
    private readonly long _dropAt;
    private readonly Thread _thread;

    /// <param name="dropAt">Which byte of the echo stream goes missing, counted from 0.</param>
    public DroppingRelay(IPEndPoint daemon, long dropAt)
    {
        _daemon = daemon;
        _dropAt = dropAt;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _thread = new Thread(Serve) { IsBackground = true, Name = "dropping relay" };
        _thread.Start();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(10));
    }

    private void Serve()
    {
        try
        {
            using var client = _listener.Accept();
            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            upstream.Connect(_daemon);
            var typed = new Thread(() => Pump(client, upstream, dropAt: -1)) { IsBackground = true, Name = "relay typed" };
            typed.Start();
            Pump(upstream, client, _dropAt);
            typed.Join();
        }
        catch (SocketException)
        {
            // The run ended or the relay was disposed: nothing more to relay.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static void Pump(Socket from, Socket to, long dropAt)
    {
        var buffer = new byte[64 * 1024];
        long position = 0;
        int received;
        while ((received = from.Receive(buffer)) > 0)
        {
            var block = buffer.AsSpan(0, received);
            if (dropAt >= position && dropAt < position + received)
            {
                int at = (int)(dropAt - position);
                to.Send(block[..at]);
                to.Send(block[(at + 1)..]);
            }
            else
            {
                to.Send(block);
            }
            position += received;
        }
        to.Shutdown(SocketShutdown.Send);
    }
}
