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

    public static void Close(Socket socket)
    {
        ShutdownQuietly(socket, SocketShutdown.Send);
        socket.Dispose();
    }
}
