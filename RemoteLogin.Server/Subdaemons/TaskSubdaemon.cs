using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Each session is an async loop on the thread pool, in the daemon's own process.</summary>
internal sealed class TaskSubdaemon(EchoSessions sessions) : ISubdaemon
{
    public async Task<SessionEnd> ServeAsync(Socket connection, SessionControl control)
    {
        // An abort cancels the loop's socket calls through control.Aborted.
        var session = sessions.For(connection);
        control.Attach(drain: session.StopReading);
        control.Serving();
        return SessionEnd.Of(await session.RunAsync(control.Aborted));
    }
}
