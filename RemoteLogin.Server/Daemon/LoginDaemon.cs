using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Daemon;

/// <summary>Accepts connections and hands each to the subdaemon. Knows nothing of echo strategies or protocols.</summary>
public sealed class LoginDaemon
{
    private readonly Socket _listener;
    private readonly ISubdaemon _subdaemon;
    private readonly ServerMetrics _metrics;
    public const int DefaultMaxSessions = 1000;

    private readonly ConcurrentDictionary<ISession, byte> _sessions = new();
    private readonly int _maxSessions;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Task _acceptLoop;

    private LoginDaemon(Socket listener, ISubdaemon subdaemon, ServerMetrics metrics, int maxSessions)
    {
        _maxSessions = maxSessions;
        _listener = listener;
        _subdaemon = subdaemon;
        _metrics = metrics;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Listen and serve; a connection beyond <paramref name="maxSessions"/> live sessions is closed at once and counted.</summary>
    public static LoginDaemon Start(IPEndPoint listen, ISubdaemon subdaemon, ServerMetrics metrics, int maxSessions = DefaultMaxSessions)
    {
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new LoginDaemon(listener, subdaemon, metrics, maxSessions);
    }

    /// <summary>Stop accepting, let every live session echo what it received, and abort those still running after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopAccepting.Cancel();
        _listener.Dispose();
        await _acceptLoop;

        var sessions = _sessions.Keys.ToArray();
        foreach (var session in sessions)
        {
            session.BeginDrain();
        }
        var drained = Task.WhenAll(sessions.Select(s => s.Completion));
        if (await Task.WhenAny(drained, Task.Delay(grace)) != drained)
        {
            Console.Error.WriteLine($"{sessions.Count(s => !s.Completion.IsCompleted)} session(s) still running after {grace.TotalSeconds:0.#} s: aborting them");
            foreach (var session in sessions.Where(s => !s.Completion.IsCompleted))
            {
                session.Abort();
            }
            await drained;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopAccepting.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopAccepting.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors or a connection reset before accept: this connection is lost, the daemon is not.
                Console.Error.WriteLine($"accept failed: {e.Message}");
                await Task.Delay(10);
                continue;
            }
            if (_sessions.Count >= _maxSessions)
            {
                _metrics.SessionRejected();
                SessionSocket.Close(connection);
                continue;
            }
            try
            {
                connection.NoDelay = true;
                _metrics.SessionAccepted();
                var session = _subdaemon.Start(connection);
                _sessions.TryAdd(session, 0);
                _ = session.Completion.ContinueWith(
                    (_, state) => _sessions.TryRemove((ISession)state!, out var _), session, TaskScheduler.Default);
            }
            catch (Exception e)
            {
                // A session that cannot start is closed; the daemon keeps accepting.
                Console.Error.WriteLine($"session could not start: {e.Message}");
                connection.Dispose();
            }
        }
    }
}
