using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// Accepts connections, admits each as a <see cref="LoginSession"/> up to the limit, and drains them on stop.
/// Knows nothing of echo strategies or models; <see cref="DaemonHost"/> makes it.
/// </summary>
internal sealed class LoginDaemon
{
    private readonly Socket _listener;
    private readonly DaemonOptions _options;
    private readonly ILoginProtocol _protocol;
    private readonly ISubdaemon _model;
    private readonly IDaemonEvents _events;

    private readonly ConcurrentDictionary<LoginSession, byte> _sessions = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Task _acceptLoop;

    private LoginDaemon(Socket listener, DaemonOptions options, ILoginProtocol protocol, ISubdaemon model, IDaemonEvents events)
    {
        _listener = listener;
        _options = options;
        _protocol = protocol;
        _model = model;
        _events = events;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Listen on <see cref="DaemonOptions.Listen"/> and serve; a connection beyond <see cref="DaemonOptions.MaxSessions"/> live sessions is closed at once.</summary>
    public static LoginDaemon Start(DaemonOptions options, ILoginProtocol protocol, ISubdaemon model, IDaemonEvents events)
    {
        var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(options.Listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new LoginDaemon(listener, options, protocol, model, events);
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
            var stuck = sessions.Where(s => !s.Completion.IsCompleted).ToArray();
            _events.Raise(new DrainTimedOut(stuck.Length, grace));
            foreach (var session in stuck)
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
                _events.Raise(new AcceptFailed(e.Message));
                await Task.Delay(10);
                continue;
            }
            if (_sessions.Count >= _options.MaxSessions)
            {
                _events.Raise(new SessionRefused(connection.RemoteEndPoint));
                SessionSocket.Close(connection);
                continue;
            }
            _events.Raise(new SessionOpened(connection.RemoteEndPoint));
            var session = new LoginSession(connection, _protocol, _model, _events, _options.HandshakeTimeout);
            _sessions.TryAdd(session, 0);
            _ = session.Completion.ContinueWith(
                (_, state) => _sessions.TryRemove((LoginSession)state!, out var _), session, TaskScheduler.Default);
        }
    }
}
