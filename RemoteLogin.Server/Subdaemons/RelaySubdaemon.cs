using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>
/// Each session gets a child process, but the daemon keeps the connection and copies every byte to the child and
/// back over a Unix socket pair: the seed's "daemon passes the packet to the subdaemon". The extra copies, system
/// calls and context switches are what this model is for, so the relay is a plain copy loop and stays one.
/// </summary>
public sealed class RelaySubdaemon(ChildCommand command, SubdaemonChildren children, ServerMetrics metrics) : ISubdaemon
{
    private const int RelayBufferBytes = 16 * 1024;

    public ISession Start(Socket connection)
    {
        var session = new RelaySession(connection, command, children, metrics);
        session.Completion = Task.Run(session.RunAsync);
        return session;
    }

    private sealed class RelaySession(Socket connection, ChildCommand command, SubdaemonChildren children, ServerMetrics metrics) : ISession
    {
        private readonly ChildSessionControl _control = new();
        private readonly CancellationTokenSource _abort = new();

        public Task Completion { get; set; } = Task.CompletedTask;

        // The client's bytes stop at the daemon; what already came in still goes through the child and back.
        public void BeginDrain() => SessionSocket.ShutdownQuietly(connection, SocketShutdown.Receive);

        public void Abort()
        {
            _abort.Cancel();
            _control.Abort();
        }

        public async Task RunAsync()
        {
            metrics.SessionStarted();
            try
            {
                var child = await ChildSessionControl.TryLaunchAsync(children, command, ownsClientSocket: false, connection);
                if (child is null)
                {
                    return;
                }
                try
                {
                    var (toChild, childEnd) = UnixSockets.Pair();
                    using (toChild)
                    {
                        using (childEnd)
                        {
                            child.HandOver(childEnd.SafeHandle);
                        }
                        child.Go();
                        _control.Attach(child);
                        await RelayAsync(toChild, metrics.Echo);
                    }
                }
                catch (Exception)
                {
                    child.Kill(); // it never got its end of the relay, or the relay broke: it has nothing left to do
                    throw;
                }
                finally
                {
                    await children.EndAsync(child);
                }
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

        private async Task RelayAsync(Socket toChild, EchoTally tally)
        {
            using var childGone = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            // Each direction is a receive into the daemon's memory and a send out of it: the client's bytes count once
            // each way, the copies twice.
            var upstream = CopyAsync(connection, toChild, tally.Received, tally.Copies.OutOfUser, childGone.Token);
            // The child's side ends when its echo is done or when it dies; either way nothing more will come back.
            await CopyAsync(toChild, connection, tally.Copies.IntoUser, tally.Echoed, _abort.Token);
            childGone.Cancel();
            await upstream;
        }

        /// <summary>Copy until <paramref name="from"/> ends, then pass the end on; a broken side ends the copy too.</summary>
        private static async Task CopyAsync(Socket from, Socket to, Action<int> received, Action<int> sent, CancellationToken cancellationToken)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(RelayBufferBytes);
            try
            {
                int bytes;
                while ((bytes = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken)) > 0)
                {
                    received(bytes);
                    await to.SendAsync(buffer.AsMemory(0, bytes), SocketFlags.None, cancellationToken);
                    sent(bytes);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // The session is over on that side; the other copy sees it end in turn.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                SessionSocket.ShutdownQuietly(to, SocketShutdown.Send);
            }
        }
    }
}
