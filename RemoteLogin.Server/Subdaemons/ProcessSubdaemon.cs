using System.Net.Sockets;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>
/// Each session gets a child process that owns the connection: the daemon hands the accepted socket over with
/// SCM_RIGHTS and closes its own copy before the child may touch it. From then on the daemon never sees a byte.
/// </summary>
public sealed class ProcessSubdaemon(ChildCommand command, SubdaemonChildren children, ServerMetrics metrics) : ISubdaemon
{
    public ISession Start(Socket connection)
    {
        var session = new ProcessSession(connection, command, children, metrics);
        session.Completion = Task.Run(session.RunAsync);
        return session;
    }

    private sealed class ProcessSession(Socket connection, ChildCommand command, SubdaemonChildren children, ServerMetrics metrics) : ISession
    {
        private readonly ChildSessionControl _control = new();

        public Task Completion { get; set; } = Task.CompletedTask;

        public void BeginDrain() => _control.BeginDrain();

        public void Abort() => _control.Abort();

        public async Task RunAsync()
        {
            metrics.SessionStarted();
            var peer = connection.RemoteEndPoint;
            bool handedOver = false;
            try
            {
                var child = await ChildSessionControl.TryLaunchAsync(children, command, ownsClientSocket: true, connection);
                if (child is null)
                {
                    return;
                }
                try
                {
                    child.HandOver(connection.SafeHandle);
                    handedOver = true;
                }
                catch (SocketException e)
                {
                    Console.Error.WriteLine($"session {peer}: the subdaemon did not take it ({e.Message}); closing it");
                    child.Kill();
                    await children.EndAsync(child);
                    return;
                }
                connection.Dispose(); // the child's copy is the only one now
                child.Go();
                _control.Attach(child);
                await children.EndAsync(child);
            }
            catch (Exception e)
            {
                SessionSocket.Report(peer, e);
            }
            finally
            {
                if (!handedOver)
                {
                    SessionSocket.Close(connection); // a clean close for a session no child took
                }
                metrics.SessionEnded();
            }
        }
    }
}
