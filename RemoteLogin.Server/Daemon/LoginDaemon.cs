using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Daemon;

/// <summary>Accepts connections, opens each by its protocol and hands it to the subdaemon. Knows nothing of echo strategies.</summary>
public sealed class LoginDaemon
{
    private readonly Socket _listener;
    private readonly ISubdaemon _subdaemon;
    private readonly ServerMetrics _metrics;
    private readonly DaemonSettings _settings;

    private readonly ConcurrentDictionary<ISession, byte> _sessions = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Task _acceptLoop;

    private LoginDaemon(Socket listener, ISubdaemon subdaemon, ServerMetrics metrics, DaemonSettings settings)
    {
        _settings = settings;
        _listener = listener;
        _subdaemon = subdaemon;
        _metrics = metrics;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Listen and serve; a connection beyond <see cref="DaemonSettings.MaxSessions"/> live sessions is closed at once and counted.</summary>
    public static LoginDaemon Start(IPEndPoint listen, ISubdaemon subdaemon, ServerMetrics metrics, DaemonSettings? settings = null)
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
        return new LoginDaemon(listener, subdaemon, metrics, settings ?? new DaemonSettings());
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
            if (_sessions.Count >= _settings.MaxSessions)
            {
                _metrics.SessionRejected();
                SessionSocket.Close(connection);
                continue;
            }
            try
            {
                connection.NoDelay = true;
                _metrics.SessionAccepted();
                var session = new LoginSession(connection, _settings.Protocol, _subdaemon, _metrics, _settings.HandshakeTimeout);
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

/// <summary>What the daemon is told at start, besides where to listen and how to serve.</summary>
public sealed record DaemonSettings
{
    public const int DefaultMaxSessions = 1000;
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    public ILoginProtocol Protocol { get; init; } = RawProtocol.Instance;

    /// <summary>Live sessions at most, those still opening included.</summary>
    public int MaxSessions { get; init; } = DefaultMaxSessions;

    /// <summary>One deadline for a session's whole opening (the rlogin handshake).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;
}
