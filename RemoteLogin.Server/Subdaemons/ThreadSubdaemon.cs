using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Each session gets a dedicated OS thread that blocks in every socket call, as a classic forking daemon's child would.</summary>
internal sealed class ThreadSubdaemon(EchoSessions sessions) : ISubdaemon
{
    public Task<SessionEnd> ServeAsync(Socket connection, SessionControl control)
    {
        // Shutting both directions down is what wakes a thread blocked in recv, send or splice; closing would not.
        var session = sessions.For(connection);
        control.Attach(
            drain: session.StopReading,
            abort: () => SessionSocket.ShutdownQuietly(connection, SocketShutdown.Both));
        control.Serving();
        var ended = new TaskCompletionSource<SessionEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => ended.SetResult(SessionEnd.Of(session.Run()))) { IsBackground = true, Name = $"session {connection.RemoteEndPoint}" }.Start();
        return ended.Task;
    }
}
