using System.Net;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Support;

/// <summary>The real daemon, in the test process, on an ephemeral loopback port.</summary>
public sealed class InProcessDaemon : IAsyncDisposable
{
    private InProcessDaemon(ServerMetrics metrics, LoginDaemon daemon)
    {
        Metrics = metrics;
        Daemon = daemon;
    }

    public ServerMetrics Metrics { get; }

    public LoginDaemon Daemon { get; }

    public IPEndPoint Endpoint => Daemon.LocalEndPoint;

    public static InProcessDaemon Start(BufferStrategy echo, SubdaemonModel model = SubdaemonModel.Task, WireProtocol protocol = WireProtocol.Raw)
    {
        var children = SubdaemonFactory.ChildrenFor(model);
        var metrics = new ServerMetrics(model, children);
        var login = LoginProtocols.For(protocol);
        var daemon = LoginDaemon.Start(
            new IPEndPoint(IPAddress.Loopback, 0), SubdaemonFactory.For(model, echo, login, metrics, children), metrics, new DaemonSettings { Protocol = login });
        return new InProcessDaemon(metrics, daemon);
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.StopAsync(TimeSpan.FromSeconds(10));
        Metrics.Dispose();
    }
}
