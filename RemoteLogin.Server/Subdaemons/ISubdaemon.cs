using System.Net.Sockets;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Gives one accepted connection its own worker. One model per file; the daemon knows only this.</summary>
public interface ISubdaemon
{
    /// <summary>Takes ownership of <paramref name="connection"/> and starts serving it; returns at once.</summary>
    ISession Start(Socket connection);
}

/// <summary>A session as the daemon sees it, whatever serves it.</summary>
public interface ISession
{
    /// <summary>Completes when the session has ended and released everything it held.</summary>
    Task Completion { get; }

    /// <summary>Stop taking new input; echo what was already received, then end.</summary>
    void BeginDrain();

    /// <summary>End now, dropping whatever is in flight.</summary>
    void Abort();
}

public static class SubdaemonFactory
{
    /// <param name="children">Where the process and relay models start their children; the meter reads the same.</param>
    public static ISubdaemon For(SubdaemonModel model, BufferStrategy echo, ILoginProtocol protocol, ServerMetrics metrics, SubdaemonChildren? children = null) => model switch
    {
        SubdaemonModel.Task => new TaskSubdaemon(new EchoSessions(echo, protocol, metrics.Echo), metrics),
        SubdaemonModel.Thread => new ThreadSubdaemon(new EchoSessions(echo, protocol, metrics.Echo), metrics),
        SubdaemonModel.Process => new ProcessSubdaemon(new ChildCommand(echo, protocol.Name), children ?? throw new ArgumentNullException(nameof(children)), metrics),
        SubdaemonModel.Relay => new RelaySubdaemon(new ChildCommand(echo, protocol.Name), children ?? throw new ArgumentNullException(nameof(children)), metrics),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    /// <summary>The children the process and relay models start, or null for the models that start none.</summary>
    public static SubdaemonChildren? ChildrenFor(SubdaemonModel model) =>
        model is SubdaemonModel.Process or SubdaemonModel.Relay ? new SubdaemonChildren() : null;
}
