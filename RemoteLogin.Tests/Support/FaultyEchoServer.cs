using System.Net;
using System.Net.Sockets;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Protocols.Telnet;
using RemoteLogin.Server.Protocols.Rlogin;
using RemoteLogin.Server.Protocols.Telnet;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// An echo server that misbehaves on purpose at given positions of the typed stream (counted from the first byte after
/// the protocol's opening): it drops, duplicates, corrupts or holds back bytes, so the client's integrity check has
/// something to catch. It opens telnet and rlogin sessions as the real daemon does, so the faults hit typed text.
/// </summary>
internal sealed class FaultyEchoServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly Faults _faults;
    private readonly WireProtocol _protocol;

    public sealed record Faults
    {
        public long[] Drop { get; init; } = [];
        public long[] Duplicate { get; init; } = [];
        /// <summary>Positions echoed with bit 5 flipped.</summary>
        public long[] Corrupt { get; init; } = [];
        /// <summary>Positions whose echo is sent only after <see cref="HoldFor"/>, everything behind them waiting too.</summary>
        public long[] Hold { get; init; } = [];
        public TimeSpan HoldFor { get; init; }
        /// <summary>One byte sent after the echo of everything typed, once the client has stopped typing.</summary>
        public byte? Trailing { get; init; }
    }

    public FaultyEchoServer(Faults faults, WireProtocol protocol = WireProtocol.Raw)
    {
        _faults = faults;
        _protocol = protocol;
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
            int telnetCommandLeft = 0;
            int received = Open(connection, buffer);
            while (received > 0)
            {
                reply.Clear();
                foreach (byte b in buffer.AsSpan(0, received))
                {
                    // Telnet: the client's answers to the offers (IAC DO ECHO, IAC DO SGA) are not typed text; the
                    // typed text never holds IAC, so every IAC starts a three-byte negotiation to pass over.
                    if (_protocol == WireProtocol.Telnet && (telnetCommandLeft > 0 || b == TelnetCodes.Iac))
                    {
                        telnetCommandLeft = b == TelnetCodes.Iac && telnetCommandLeft == 0 ? 2 : telnetCommandLeft - 1;
                        continue;
                    }
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
                received = connection.Receive(buffer);
            }
            // The client shut its side: it has typed everything and waits only for the rest of the echo and the close.
            if (_faults.Trailing is { } trailing)
            {
                connection.Send([trailing]);
            }
            connection.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>The protocol's opening, as the real daemon makes it; returns how many typed bytes already sit in <paramref name="buffer"/>.</summary>
    private int Open(Socket connection, byte[] buffer)
    {
        switch (_protocol)
        {
            case WireProtocol.Telnet:
                connection.Send(TelnetProtocol.Greeting.Span);
                return connection.Receive(buffer);
            case WireProtocol.Rlogin:
                var handshake = new RloginHandshake();
                while (true)
                {
                    int received = connection.Receive(buffer);
                    if (received == 0)
                    {
                        return 0;
                    }
                    var status = handshake.Read(buffer.AsSpan(0, received), out int consumed);
                    if (status == RloginHandshakeStatus.Malformed)
                    {
                        throw new InvalidOperationException($"rlogin handshake: {handshake.Error}");
                    }
                    if (status == RloginHandshakeStatus.Complete)
                    {
                        connection.Send([0]);
                        connection.Send([RloginProtocol.WindowSizeRequest | RloginProtocol.RawMode], SocketFlags.OutOfBand);
                        buffer.AsSpan(consumed, received - consumed).CopyTo(buffer);
                        return received - consumed > 0 ? received - consumed : connection.Receive(buffer);
                    }
                }
            default:
                return connection.Receive(buffer);
        }
    }
}
