using System.Net.Sockets;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Each session gets a dedicated OS thread that blocks in every socket call, as a classic forking daemon's child would.</summary>
internal sealed class ThreadSubdaemon(EchoSessions sessions, ServerMetrics metrics) : ISubdaemon
{
    public ISession Start(Socket connection)
    {
        var session = new ThreadSession(sessions.For(connection), metrics);
        new Thread(session.Run) { IsBackground = true, Name = $"session {connection.RemoteEndPoint}" }.Start();
        return session;
    }

    private sealed class ThreadSession(EchoSession echo, ServerMetrics metrics) : ISession
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _ended.Task;

        public void BeginDrain() => SessionSocket.ShutdownQuietly(echo.Connection, SocketShutdown.Receive);

        // Shutting both directions down is what wakes a thread blocked in recv, send or splice; closing would not.
        public void Abort() => SessionSocket.ShutdownQuietly(echo.Connection, SocketShutdown.Both);

        public void Run()
        {
            metrics.SessionStarted();
            try
            {
                SessionSocket.Report(echo.Connection, echo.Run());
            }
            finally
            {
                SessionSocket.End(echo.Connection, metrics);
                _ended.SetResult();
            }
        }
    }
}
