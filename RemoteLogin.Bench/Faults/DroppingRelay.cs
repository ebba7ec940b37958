using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Bench.Faults;

/// <summary>
/// A fault put on the path on purpose: a loopback relay between the load client and the daemon that forwards every
/// byte both ways except one byte of the first session's echo. The bench puts it in front of the daemon in one round
/// only (<c>--drop-byte-in-round</c>, hidden), so a test can prove that a round losing a byte fails its run even when
/// that round is not the median one. Every session the client opens is relayed; only the first loses a byte.
/// </summary>
internal sealed class DroppingRelay : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly IPEndPoint _daemon;
    private readonly long _dropAt;
    private readonly Thread _acceptor;

    /// <param name="dropAt">Which byte of the first session's echo goes missing, counted from 0.</param>
    public DroppingRelay(IPEndPoint daemon, long dropAt)
    {
        _daemon = daemon;
        _dropAt = dropAt;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        _acceptor = new Thread(AcceptAll) { IsBackground = true, Name = "dropping relay" };
        _acceptor.Start();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose()
    {
        _listener.Dispose();
        _acceptor.Join(TimeSpan.FromSeconds(10));
    }

    private void AcceptAll()
    {
        for (bool first = true; ; first = false)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // disposed: the run is over
            }
            long dropAt = first ? _dropAt : -1;
            new Thread(() => Relay(client, dropAt)) { IsBackground = true, Name = "dropping relay session" }.Start();
        }
    }

    private void Relay(Socket client, long dropAt)
    {
        using (client)
        using (var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            client.NoDelay = true;
            try
            {
                upstream.Connect(_daemon);
            }
            catch (SocketException)
            {
                return; // the client sees its connection close, as if the daemon were gone
            }
            var typed = new Thread(() => Pump(client, upstream, dropAt: -1)) { IsBackground = true, Name = "relay typed" };
            typed.Start();
            Pump(upstream, client, dropAt);
            typed.Join();
        }
    }

    /// <summary>Copy until the end of <paramref name="from"/>, leaving out the byte at <paramref name="dropAt"/>; a broken side ends it quietly.</summary>
    private static void Pump(Socket from, Socket to, long dropAt)
    {
        var buffer = new byte[64 * 1024];
        long position = 0;
        try
        {
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
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side went away (the run ended, or the client was killed): nothing more to relay.
        }
    }
}
