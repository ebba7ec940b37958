using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>
/// The one way a session gets a child, for the process and relay models alike: launch it, hand it a socket, close the
/// daemon's copy, say go, attach it to the session's drain and abort, serve, and reap it. Which socket the child gets
/// (the client's, or its end of a relay) and what the daemon does while the child serves is the model's.
/// </summary>
/// <param name="ownsClientSocket">The process model: the child gets the client's socket and drains it itself.</param>
internal sealed class ChildLaunch(SubdaemonChildren children, ChildCommand command, bool ownsClientSocket)
{
    /// <param name="client">The client's connection: no child is launched for one that has gone by the time a launch slot is free.</param>
    /// <param name="handOver">The socket the child gets; the daemon's copy is disposed once the child has it, and left to the caller if it never does.</param>
    /// <param name="serve">What the daemon does while the child serves; the session is over when it returns.</param>
    public async Task<SessionEnd> ServeAsync(Socket client, Socket handOver, SessionControl control, Func<SubdaemonChild, Task<EchoEnd>> serve)
    {
        SubdaemonChild child;
        try
        {
            child = await children.LaunchAsync(command, ownsClientSocket, client);
        }
        catch (SubdaemonStartException e)
        {
            return SessionEnd.NotStarted(e.Message);
        }
        EchoEnd end;
        try
        {
            try
            {
                child.HandOver(handOver.SafeHandle);
            }
            catch (SocketException e)
            {
                child.Kill();
                return SessionEnd.NotStarted($"the subdaemon did not take it ({e.Message})");
            }
            handOver.Dispose(); // the child's copy is the only one now, before the child may touch it
            child.Go();
            control.Serving();
            control.Attach(drain: ownsClientSocket ? child.Drain : null, abort: child.Kill);
            end = await serve(child);
        }
        catch
        {
            child.Kill(); // the daemon's side broke: the child has nothing left to do
            throw;
        }
        finally
        {
            await children.EndAsync(child);
        }
        // A child that died under its session ended the session, as a reset would; one that exited 0 had finished it.
        return SessionEnd.Of(end.Kind == EchoEndKind.Completed && child.ExitCode != 0
            ? new EchoEnd(EchoEndKind.ConnectionLost, child.ExitCode > 128 ? $"subdaemon killed by signal {child.ExitCode - 128}" : $"subdaemon exited with code {child.ExitCode}")
            : end);
    }
}
