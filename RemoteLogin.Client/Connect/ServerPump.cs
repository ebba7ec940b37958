using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Protocols;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// The server to standard output: each receive is decoded, what is to be shown is written with one write, and the
/// protocol's replies are sent back. For rlogin it also watches for urgent data, which the kernel keeps out of the
/// data stream (SO_OOBINLINE off) and announces with POLLPRI; Socket.Select's error list polls for exactly that.
/// </summary>
internal sealed class ServerPump(
    Socket socket, Stream output, LoginClientProtocol protocol, WireSender sender, KeystrokeClock clock, Func<TerminalSize> terminalSize, SessionEnding ending)
{
    private const int ReceiveSize = 16 * 1024;

    private readonly ArrayBufferWriter<byte> _display = new(2 * ReceiveSize);
    private readonly ArrayBufferWriter<byte> _replies = new(256);
    private readonly List<Socket> _readable = new(1);
    private readonly List<Socket> _urgent = new(1);

    public void Run()
    {
        var buffer = new byte[ReceiveSize];
        try
        {
            while (true)
            {
                if (protocol.UsesUrgentData && !WaitForDataOrUrgent())
                {
                    continue;
                }
                int received = socket.Receive(buffer, SocketFlags.None, out var error);
                long receivedAt = Stopwatch.GetTimestamp();
                if (error != SocketError.Success)
                {
                    ending.Report(SessionEnd.Lost(error));
                    return;
                }
                if (received == 0)
                {
                    ending.Report(new SessionEnd(SessionEndReason.ServerClosed));
                    return;
                }
                if (!Show(buffer.AsSpan(0, received), receivedAt))
                {
                    return;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The session ended and closed the socket under this thread.
        }
    }

    private bool Show(ReadOnlySpan<byte> received, long receivedAt)
    {
        _display.ResetWrittenCount();
        _replies.ResetWrittenCount();
        try
        {
            protocol.Decode(received, _display, _replies);
        }
        catch (LoginProtocolException e)
        {
            ending.Report(new SessionEnd(SessionEndReason.ProtocolError, e.Message));
            return false;
        }
        if (_display.WrittenCount > 0)
        {
            clock.Shown(receivedAt);
            try
            {
                output.Write(_display.WrittenSpan);
            }
            catch (IOException e)
            {
                ending.Report(new SessionEnd(SessionEndReason.OutputClosed, e.Message));
                return false;
            }
        }
        return SendReplies();
    }

    /// <summary>
    /// Blocks until data or urgent data is there; handles urgent data. True when a receive will not block (data, or
    /// the connection's end). When reading the urgent byte fails, the blocking receive that follows waits for data
    /// instead of polling again, so a POLLPRI that does not clear cannot spin this thread.
    /// </summary>
    private bool WaitForDataOrUrgent()
    {
        _readable.Clear();
        _readable.Add(socket);
        _urgent.Clear();
        _urgent.Add(socket);
        try
        {
            Socket.Select(_readable, null, _urgent, -1);
        }
        catch (SocketException e)
        {
            ending.Report(SessionEnd.Lost(e.SocketErrorCode));
            return true; // the receive reports it too, and ends the loop
        }
        if (_urgent.Count == 0)
        {
            return true;
        }
        Span<byte> control = stackalloc byte[1];
        int read = socket.Receive(control, SocketFlags.OutOfBand, out var error);
        if (error != SocketError.Success || read != 1)
        {
            return true;
        }
        _replies.ResetWrittenCount();
        protocol.Urgent(control[0], terminalSize(), _replies);
        bool sent = SendReplies();
        return _readable.Count > 0 || !sent; // after a failed send, the receive finds out how the connection ended
    }

    private bool SendReplies()
    {
        if (_replies.WrittenCount == 0)
        {
            return true;
        }
        var error = sender.Send(_replies.WrittenSpan);
        if (error != SocketError.Success)
        {
            ending.Report(SessionEnd.Lost(error));
            return false;
        }
        return true;
    }
}
