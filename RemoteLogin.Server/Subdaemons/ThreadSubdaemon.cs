using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>Each session gets a dedicated OS thread that blocks in every socket call, as a classic forking daemon's child would.</summary>
public sealed class ThreadSubdaemon(IEchoStrategy echo, ILoginProtocol protocol, ServerMetrics metrics) : ISubdaemon
{
    public ISession Start(Socket connection)
    {
        var session = new ThreadSession(connection, echo, new FramedEcho(protocol.NewFraming(), metrics.Echo.Copies), metrics);
        new Thread(session.Run) { IsBackground = true, Name = $"session {connection.RemoteEndPoint}" }.Start();
        return session;
    }

    private sealed class ThreadSession(Socket connection, IEchoStrategy echo, FramedEcho framing, ServerMetrics metrics) : ISession
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _ended.Task;

        public void BeginDrain() => SessionSocket.ShutdownQuietly(connection, SocketShutdown.Receive);

        // Shutting both directions down is what wakes a thread blocked in recv, send or splice; closing would not.
        public void Abort() => SessionSocket.ShutdownQuietly(connection, SocketShutdown.Both);

        public void Run()
        {
            metrics.SessionStarted();
            try
            {
                connection.Blocking = true; // real blocking system calls, whatever mode the accepted socket came in
                echo.Echo(connection, framing, metrics.Echo);
            }
            catch (Exception e)
            {
                SessionSocket.Report(connection.RemoteEndPoint, e);
            }
            finally
            {
                SessionSocket.End(connection, metrics);
                _ended.SetResult();
            }
        }
    }
}
