using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>
/// A subdaemon model: how one session runs, and nothing else. Everything around it, the opening, the started and ended
/// events, closing the socket, drain and abort whenever they come, is the session's lifecycle (<see cref="LoginSession"/>),
/// written once for every model. One model per file; <see cref="SubdaemonModels"/> names them.
/// </summary>
internal interface ISubdaemon
{
    /// <summary>
    /// Serve <paramref name="connection"/>, whose opening is done, until its session is over, and say how it ended.
    /// Tell <paramref name="control"/> how this model drains and aborts a session. The lifecycle closes the
    /// connection afterwards; a model that hands the descriptor away closes its own copy when it has.
    /// </summary>
    Task<SessionEnd> ServeAsync(Socket connection, SessionControl control);
}

/// <summary>The one place a model's name becomes a model, made from what the composition root made once.</summary>
internal static class SubdaemonModels
{
    /// <summary>The models whose sessions run in children: the root makes their <see cref="SubdaemonChildren"/>, which the meter reads too.</summary>
    public static bool StartsChildren(SubdaemonModel model) => model is SubdaemonModel.Process or SubdaemonModel.Relay;

    /// <param name="sessions">Echo sessions as the daemon's options make them; a child makes its own from the same strategy and protocol.</param>
    /// <param name="children">Where the child models start their children; null for the others.</param>
    /// <param name="idleTimeout">--idle-timeout, for the children that own their client's socket; the daemon watches the others.</param>
    /// <param name="prefork">--prefork, for the models with children: how many wait started and warmed.</param>
    public static ISubdaemon For(SubdaemonModel model, EchoSessions sessions, SubdaemonChildren? children, TimeSpan idleTimeout = default, int prefork = 0) => model switch
    {
        SubdaemonModel.Task => new TaskSubdaemon(sessions),
        SubdaemonModel.Thread => new ThreadSubdaemon(sessions),
        SubdaemonModel.Process => new ProcessSubdaemon(ChildLaunch(sessions, children, ownsClientSocket: true, idleTimeout, prefork)),
        SubdaemonModel.Relay => new RelaySubdaemon(ChildLaunch(sessions, children, ownsClientSocket: false, TimeSpan.Zero, prefork), sessions.Meter),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    private static ChildLaunch ChildLaunch(EchoSessions sessions, SubdaemonChildren? children, bool ownsClientSocket, TimeSpan idleTimeout, int prefork)
    {
        ArgumentNullException.ThrowIfNull(children);
        var command = new ChildCommand(sessions.Strategy, sessions.Protocol, idleTimeout);
        if (prefork > 0)
        {
            children.Prefork(prefork, command, ownsClientSocket);
        }
        return new(children, command, ownsClientSocket);
    }
}
