using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Each session is an async loop on the thread pool, in the daemon's own process.</summary>
public sealed class TaskSubdaemon(IEchoStrategy echo, ILoginProtocol protocol, ServerMetrics metrics) : ISubdaemon
{
    public ISession Start(Socket connection)
    {
        var session = new TaskSession(connection, echo, new FramedEcho(protocol.NewFraming(), metrics.Echo.Copies), metrics);
        session.Completion = Task.Run(session.RunAsync);
        return session;
    }

    private sealed class TaskSession(Socket connection, IEchoStrategy echo, FramedEcho framing, ServerMetrics metrics) : ISession
    {
        // Never disposed: Abort may come after the session ended, and a token source without timers holds nothing.
        private readonly CancellationTokenSource _abort = new();

        public Task Completion { get; set; } = Task.CompletedTask;

        public void BeginDrain() => SessionSocket.ShutdownQuietly(connection, SocketShutdown.Receive);

        public void Abort() => _abort.Cancel();

        public async Task RunAsync()
        {
            metrics.SessionStarted();
            try
            {
                await echo.EchoAsync(connection, framing, metrics.Echo, _abort.Token);
            }
            catch (Exception e)
            {
                SessionSocket.Report(connection.RemoteEndPoint, e);
            }
            finally
            {
                SessionSocket.End(connection, metrics);
            }
        }
    }
}
