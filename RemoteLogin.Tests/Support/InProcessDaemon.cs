using System.Collections.Concurrent;
using System.Net;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Support;

/// <summary>The real daemon, in the test process, on an ephemeral loopback port, composed as the program composes it; it keeps the events it raised.</summary>
internal sealed class InProcessDaemon : IAsyncDisposable
{
    private readonly DaemonHost _host;
    private readonly RecordedEvents _events;

    private InProcessDaemon(DaemonHost host, RecordedEvents events)
    {
        _host = host;
        _events = events;
    }

    public ServerMetrics Metrics => _host.Metrics;

    public LoginDaemon Daemon => _host.Daemon;

    public Server.Subdaemons.Children.SubdaemonChildren? Children => _host.Children;

    public IPEndPoint Endpoint => _host.LocalEndPoint;

    /// <summary>Every event the daemon has raised so far, in order.</summary>
    public IReadOnlyList<DaemonEvent> Events => [.. _events];

    public static InProcessDaemon Start(BufferStrategy echo, SubdaemonModel model = SubdaemonModel.Task, WireProtocol protocol = WireProtocol.Raw) =>
        Start(new DaemonOptions { Echo = echo, Model = model, Protocol = protocol });

    /// <summary>A daemon whose limits take <paramref name="sessions"/> at once from this one host, as the bench sets them for its load.</summary>
    public static InProcessDaemon StartForLoad(BufferStrategy echo, int sessions) => Start(new DaemonOptions
    {
        Echo = echo,
        MaxSessions = Math.Max(DaemonOptions.DefaultMaxSessions, sessions),
        MaxSessionsPerSource = sessions,
        MaxStartups = new StartupLimit(sessions, 100, sessions),
    });

    /// <summary>A daemon made from <paramref name="options"/> (their listen address defaults to loopback's port 0).</summary>
    public static InProcessDaemon Start(DaemonOptions options)
    {
        var events = new RecordedEvents();
        return new InProcessDaemon(DaemonHost.Start(options, events), events);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private sealed class RecordedEvents : ConcurrentQueue<DaemonEvent>, IDaemonEvents
    {
        public void Raise(DaemonEvent daemonEvent) => Enqueue(daemonEvent);
    }
}
