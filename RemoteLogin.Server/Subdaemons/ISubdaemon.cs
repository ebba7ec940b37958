using System.Net.Sockets;
using RemoteLogin.Server.Echo;
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
    public static ISubdaemon For(SubdaemonModel model, IEchoStrategy echo, ServerMetrics metrics) => model switch
    {
        SubdaemonModel.Task => new TaskSubdaemon(echo, metrics),
        SubdaemonModel.Thread => new ThreadSubdaemon(echo, metrics),
        _ => throw new NotSupportedException($"the {model.Name()} subdaemon model is not available yet"),
    };
}
