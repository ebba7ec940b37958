using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// The strategies that use plain blocking socket calls: the closed loop receives on the typing thread itself
/// (send, then receive, as the textbook does); the open loop reads echoes on one dedicated thread.
/// They differ in how they send and in the buffer they receive into.
/// </summary>
public abstract class BlockingTransport : ClientTransport
{
    private readonly Memory<byte> _receiveBuffer;
    private Thread? _receiver;

    protected BlockingTransport(Socket socket, EchoWindow window, TransportSettings settings, Memory<byte> receiveBuffer)
        : base(socket, window, settings)
    {
        _receiveBuffer = receiveBuffer;
        socket.ReceiveTimeout = (int)settings.EchoTimeout.TotalMilliseconds;
    }

    public override void StartReceiving()
    {
        _receiver = new Thread(ReceiveUntilClosed) { IsBackground = true, Name = "echo receiver" };
        _receiver.Start();
    }

    public override void Close()
    {
        Flush();
        Socket.Shutdown(SocketShutdown.Send);
        if (_receiver is null)
        {
            // Closed loop: nothing else reads, so read the rest here until the daemon closes.
            while (ReceiveOnce() is ReceiveOutcome.Data)
            {
            }
            Window.Settle(); // the daemon closed: no echo is coming to judge a byte still held
        }
        else
        {
            _receiver.Join(Settings.EchoTimeout);
        }
    }

    protected override void ReceiveUntilEchoed()
    {
        while (Window.Outstanding > 0)
        {
            if (ReceiveOnce() is not ReceiveOutcome.Data)
            {
                Window.MarkOutstandingLost();
                return;
            }
        }
    }

    private enum ReceiveOutcome
    {
        Data,
        TimedOut,
        Closed,
    }

    private void ReceiveUntilClosed()
    {
        // Timeouts are quiet spells between typists' keys; the typing thread decides what is lost.
        while (ReceiveOnce() is not ReceiveOutcome.Closed)
        {
        }
        Window.Settle(); // nothing more will come to judge a byte still held, such as one extra after the last echo
    }

    private ReceiveOutcome ReceiveOnce()
    {
        int received;
        try
        {
            received = Socket.Receive(_receiveBuffer.Span, SocketFlags.None, out var error);
            if (error == SocketError.TimedOut || error == SocketError.WouldBlock)
            {
                return ReceiveOutcome.TimedOut;
            }
            if (error != SocketError.Success)
            {
                return ReceiveOutcome.Closed;
            }
        }
        catch (ObjectDisposedException)
        {
            return ReceiveOutcome.Closed;
        }
        if (received == 0)
        {
            return ReceiveOutcome.Closed;
        }
        CopyTally.ThisClient.IntoUser(received);
        Window.Match(_receiveBuffer.Span[..received], Stopwatch.GetTimestamp());
        return ReceiveOutcome.Data;
    }
}
