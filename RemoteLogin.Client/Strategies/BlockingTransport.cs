using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// The strategies that send with plain socket calls: the closed loop receives on the typing thread itself
/// (send, then receive, as the textbook does); the open loop reads echoes on .NET's socket engine (epoll), so a
/// thousand sessions are a thousand pending receives, not a thousand threads. They differ in how they send and in
/// the buffer they receive into.
/// </summary>
internal abstract class BlockingTransport : ClientTransport
{
    private Task? _receiving;

    protected BlockingTransport(Socket socket, EchoWindow window, TransportSettings settings)
        : base(socket, window, settings)
    {
        socket.ReceiveTimeout = (int)settings.EchoTimeout.TotalMilliseconds;
    }

    /// <summary>
    /// Whether the open loop waits for data with a zero-byte receive before taking a buffer (as Kestrel does), so an
    /// idle session holds none. Naive's one-byte receive is its own wait.
    /// </summary>
    protected virtual bool WaitsForDataBeforeTakingABuffer => true;

    public override void StartReceiving() => _receiving = ReceiveUntilClosedAsync();

    public override void Close()
    {
        SettleSends();
        Flush();
        Socket.Shutdown(SocketShutdown.Send);
        if (_receiving is null)
        {
            // Closed loop: nothing else reads, so read the rest here until the daemon closes.
            while (ReceiveOnce() is ReceiveOutcome.Data)
            {
            }
            Window.Settle(); // the daemon closed: no echo is coming to judge a byte still held
        }
        else
        {
            _receiving.Wait(Settings.EchoTimeout);
        }
    }

    /// <summary>A buffer to receive echoes into, at least one byte, held only for one receive and the check after it.</summary>
    protected abstract Memory<byte> TakeReceiveBuffer();

    protected abstract void ReturnReceiveBuffer(Memory<byte> buffer);

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

    /// <summary>
    /// Open loop. Quiet spells between typists' keys are just pending receives; the typing side decides what is lost.
    /// A receive that filled its buffer keeps it for the next one (more is likely waiting, as in a paste); otherwise
    /// the buffer goes back before waiting again. One state machine per session, boxed once: no allocation per receive.
    /// </summary>
    private async Task ReceiveUntilClosedAsync()
    {
        Memory<byte> buffer = default;
        try
        {
            while (true)
            {
                if (buffer.IsEmpty)
                {
                    if (WaitsForDataBeforeTakingABuffer)
                    {
                        await Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None); // data or the end: either way, look
                    }
                    buffer = TakeReceiveBuffer();
                }
                int received = await Socket.ReceiveAsync(buffer, SocketFlags.None);
                if (received == 0)
                {
                    break;
                }
                CopyTally.ThisClient.IntoUser(received);
                Window.Match(buffer.Span[..received], Stopwatch.GetTimestamp());
                if (received < buffer.Length)
                {
                    ReturnReceiveBuffer(buffer);
                    buffer = default;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The connection broke or was closed under us: nothing more will come.
        }
        finally
        {
            if (!buffer.IsEmpty)
            {
                ReturnReceiveBuffer(buffer);
            }
        }
        Window.Settle(); // nothing more will come to judge a byte still held, such as one extra after the last echo
    }

    private ReceiveOutcome ReceiveOnce()
    {
        var buffer = TakeReceiveBuffer();
        try
        {
            int received = Socket.Receive(buffer.Span, SocketFlags.None, out var error);
            if (error == SocketError.TimedOut || error == SocketError.WouldBlock)
            {
                return ReceiveOutcome.TimedOut;
            }
            if (error != SocketError.Success || received == 0)
            {
                return ReceiveOutcome.Closed;
            }
            CopyTally.ThisClient.IntoUser(received);
            Window.Match(buffer.Span[..received], Stopwatch.GetTimestamp());
            return ReceiveOutcome.Data;
        }
        catch (ObjectDisposedException)
        {
            return ReceiveOutcome.Closed;
        }
        finally
        {
            ReturnReceiveBuffer(buffer);
        }
    }
}
