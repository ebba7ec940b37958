using System.Net;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// The composition root: the one place a daemon is made from its <see cref="DaemonOptions"/>. The protocol is looked up
/// once and reaches the daemon's openings and the models' echo sessions from here (and a child's, by name, through its
/// command line); the meter and the log hear every event the daemon raises.
/// </summary>
internal sealed class DaemonHost : IAsyncDisposable
{
    private readonly SubdaemonChildren? _children;

    private DaemonHost(DaemonOptions options, ServerMetrics metrics, LoginDaemon daemon, SubdaemonChildren? children)
    {
        Options = options;
        Metrics = metrics;
        Daemon = daemon;
        _children = children;
    }

    public DaemonOptions Options { get; }

    public ServerMetrics Metrics { get; }

    public LoginDaemon Daemon { get; }

    /// <summary>The children of the models that start them; null under task and thread.</summary>
    public SubdaemonChildren? Children => _children;

    public IPEndPoint LocalEndPoint => Daemon.LocalEndPoint;

    /// <summary>Listen and serve; throws <see cref="System.Net.Sockets.SocketException"/> if it cannot listen.</summary>
    /// <param name="log">Where the events go besides the meter: <see cref="DaemonLog.StandardError"/>, or a test's record.</param>
    public static DaemonHost Start(DaemonOptions options, IDaemonEvents log)
    {
        var children = SubdaemonModels.StartsChildren(options.Model) ? new SubdaemonChildren() : null;
        var metrics = new ServerMetrics(options.Model, options.Protocol, children);
        try
        {
            var protocol = LoginProtocols.For(options.Protocol);
            var events = new DaemonEventSinks(metrics, log);
            var sessions = new EchoSessions(options.Echo, protocol, metrics.Echo, events: events);
            var model = SubdaemonModels.For(options.Model, sessions, children, options.IdleTimeout, options.Prefork);
            var daemon = LoginDaemon.Start(options, protocol, model, events);
            return new DaemonHost(options, metrics, daemon, children);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    /// <summary>Stop accepting, drain, and abort what is still running after <see cref="DaemonOptions.DrainTimeout"/>.</summary>
    public Task StopAsync() => Daemon.StopAsync(Options.DrainTimeout);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_children is not null)
        {
            await _children.StopPreforkAsync(); // no login will take them now
        }
        Metrics.Dispose();
    }
}
