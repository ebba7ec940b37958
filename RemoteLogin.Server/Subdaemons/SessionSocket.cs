using System.Net.Sockets;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>How every model ends a session: FIN after the last echo, never a reset over unsent data.</summary>
internal static class SessionSocket
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

    public static void Close(Socket socket)
    {
        ShutdownQuietly(socket, SocketShutdown.Send);
        socket.Dispose();
    }
}
