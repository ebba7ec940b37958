using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons.Children;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>
/// Each session gets a child process that owns the connection: the daemon hands the accepted socket over with
/// SCM_RIGHTS and closes its own copy before the child may touch it. From then on the daemon never sees a byte; the
/// child drains and ends the session, and the session is over when the child has exited.
/// </summary>
internal sealed class ProcessSubdaemon(ChildLaunch launch) : ISubdaemon
{
    public Task<SessionEnd> ServeAsync(Socket connection, SessionControl control) =>
        launch.ServeAsync(connection, connection, control, async child =>
        {
            await child.Exited;
            return EchoEnd.Completed;
        });
}
