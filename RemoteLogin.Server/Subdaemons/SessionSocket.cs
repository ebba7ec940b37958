using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>How every model ends a session: FIN after the last echo, never a reset over unsent data.</summary>
public static class SessionSocket
{
    /// <summary>
    /// A client that resets or a daemon that aborts ends only this session, quietly; a client that breaks its protocol
    /// gets a line saying how; anything else is a bug worth a stack trace.
    /// </summary>
    public static void Report(EndPoint? peer, Exception error)
    {
        if (error is ProtocolViolationException)
        {
            Console.Error.WriteLine($"session {peer}: {error.Message}; closing it");
        }
        else if (error is not (SocketException or OperationCanceledException or IOException or ObjectDisposedException))
        {
            Console.Error.WriteLine($"session {peer} failed: {error}");
        }
    }

    /// <summary>The same for an echo that ended with a result: only a broken protocol and a failure have a line.</summary>
    internal static void Report(Socket connection, EchoEnd end)
    {
        if (end.Kind == EchoEndKind.ProtocolBroken)
        {
            Console.Error.WriteLine($"session {PeerOf(connection)}: {end.Reason}; closing it");
        }
        else if (end.Kind == EchoEndKind.Failed)
        {
            Console.Error.WriteLine($"session {PeerOf(connection)} failed: {end.Reason}");
        }
    }

    private static EndPoint? PeerOf(Socket connection)
    {
        try
        {
            return connection.RemoteEndPoint;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    public static void End(Socket socket, ServerMetrics metrics)
    {
        Close(socket);
        metrics.SessionEnded();
    }

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
