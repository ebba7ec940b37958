using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// An echo server that misbehaves on purpose at given positions of the stream (counted from the connection's first
/// byte): it drops, duplicates, corrupts or holds back bytes, so the client's integrity check has something to catch.
/// </summary>
public sealed class FaultyEchoServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly Faults _faults;

    public sealed record Faults
    {
        public long[] Drop { get; init; } = [];
        public long[] Duplicate { get; init; } = [];
        public long[] Corrupt { get; init; } = [];
        /// <summary>Positions whose echo is sent only after <see cref="HoldFor"/>, everything behind them waiting too.</summary>
        public long[] Hold { get; init; } = [];
        public TimeSpan HoldFor { get; init; }
    }

    public FaultyEchoServer(Faults faults)
    {
        _faults = faults;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _thread = new Thread(Serve) { IsBackground = true };
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
                    if (_faults.Hold.Contains(position))
                    {
                        connection.Send(reply.ToArray());
                        reply.Clear();
                        Thread.Sleep(_faults.HoldFor);
                    }
                    if (_faults.Duplicate.Contains(position))
                    {
                        reply.Add(b);
                    }
                    if (!_faults.Drop.Contains(position))
                    {
                        reply.Add(_faults.Corrupt.Contains(position) ? (byte)(b ^ 0x20) : b);
                    }
                    position++;
                }
                connection.Send(reply.ToArray());
            }
            connection.Shutdown(SocketShutdown.Send);
        }
    }
}
