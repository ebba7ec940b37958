using System.Buffers;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>How every model ends a session, and the concentrator a terminal: FIN after the last echo, never a reset over unsent data.</summary>
public static class SessionSocket
{
    public static void ShutdownQuietly(Socket socket, SocketShutdown how)
    {
        try
        {
            socket.Shutdown(how);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer or by the session itself.
        }
    }

    /// <summary>
    /// TCP keepalive after <paramref name="idle"/> of silence, a probe every sixth of it, six unanswered ones end the
    /// connection: a peer that vanished without a FIN frees its session in about twice <paramref name="idle"/>.
    /// </summary>
    public static void KeepAlive(Socket socket, TimeSpan idle)
    {
        if (idle <= TimeSpan.Zero)
        {
            return;
        }
        int seconds = Math.Max(1, (int)idle.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, seconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Math.Max(1, seconds / 6));
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, KeepAliveProbes);
    }

    public const int KeepAliveProbes = 6;

    /// <summary>How long a closing session reads and discards what its peer still sends, waiting for the peer's FIN.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    /// <summary>For a connection that never got a word from the daemon (refused at admission): nothing queued to lose, so no linger.</summary>
    public static void Close(Socket socket)
    {
        ShutdownQuietly(socket, SocketShutdown.Send);
        socket.Dispose();
    }

    /// <summary>
    /// End a session without a reset over the echoes still queued: closing a socket with unread input makes the
    /// kernel send a reset and drop what it had not sent yet. So: FIN after the last echo, then read and discard what
    /// the peer still sends until its own FIN or <see cref="Linger"/>, then close. False if the peer sent during
    /// the linger and had not finished at the deadline, so what it sends next meets a reset; a silent peer loses nothing.
    /// </summary>
    public static async Task<bool> CloseAsync(Socket socket, CancellationToken abort = default)
    {
        ShutdownQuietly(socket, SocketShutdown.Send);
        byte[] discard = ArrayPool<byte>.Shared.Rent(4096);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort);
        deadline.CancelAfter(Linger);
        bool sending = false;
        try
        {
            while (await socket.ReceiveAsync(discard, SocketFlags.None, deadline.Token) > 0)
            {
                sending = true;
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return !sending || abort.IsCancellationRequested;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true; // reset by the peer, or gone already: nothing of ours left to lose
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(discard);
            socket.Dispose();
        }
    }
}
