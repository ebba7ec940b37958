using System.Net.Sockets;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Each session is an async loop on the thread pool, in the daemon's own process.</summary>
internal sealed class TaskSubdaemon(EchoSessions sessions, ServerMetrics metrics) : ISubdaemon
{
    public ISession Start(Socket connection)
    {
        var session = new TaskSession(sessions.For(connection), metrics);
        session.Completion = Task.Run(session.RunAsync);
        return session;
    }

    private sealed class TaskSession(EchoSession echo, ServerMetrics metrics) : ISession
    {
        // Never disposed: Abort may come after the session ended, and a token source without timers holds nothing.
        private readonly CancellationTokenSource _abort = new();

        public Task Completion { get; set; } = Task.CompletedTask;

        public void BeginDrain() => SessionSocket.ShutdownQuietly(echo.Connection, SocketShutdown.Receive);

        public void Abort() => _abort.Cancel();

        public async Task RunAsync()
        {
            metrics.SessionStarted();
            try
            {
                SessionSocket.Report(echo.Connection, await echo.RunAsync(_abort.Token));
            }
            finally
            {
                SessionSocket.End(echo.Connection, metrics);
            }
        }
    }
}
