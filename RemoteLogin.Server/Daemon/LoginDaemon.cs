using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Protocols.Mux;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// Accepts connections, admits each as a <see cref="LoginSession"/> (or, under mux, a <see cref="MuxConnection"/> whose
/// terminals it admits one by one) up to the limits, and drains them on stop.
/// Knows nothing of echo strategies or models; <see cref="DaemonHost"/> makes it.
/// </summary>
internal sealed class LoginDaemon : ITerminalHost
{
    private readonly Socket _listener;
    private readonly DaemonOptions _options;
    private readonly ILoginProtocol _protocol;
    private readonly ISubdaemon _model;
    private readonly IDaemonEvents _events;

    /// <summary>The longest pause between accepts that keep failing, and the fewest seconds between their log lines.</summary>
    private static readonly TimeSpan LongestAcceptBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan AcceptLogInterval = TimeSpan.FromSeconds(10);
    /// <summary>What a drain may still take past its deadline once every session is aborted: SIGTERM always exits.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IDaemonSession, byte> _sessions = new();
    private readonly Admission _admission;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Task _acceptLoop;

    private LoginDaemon(Socket listener, DaemonOptions options, ILoginProtocol protocol, ISubdaemon model, IDaemonEvents events)
    {
        _listener = listener;
        _options = options;
        _protocol = protocol;
        _model = model;
        _events = events;
        _admission = new Admission(options);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Listen on <see cref="DaemonOptions.Listen"/> and serve; a connection its limits do not admit (<see cref="Admission"/>) is closed at once.</summary>
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
            // An aborted session has nothing left to wait for but a child's death or a linger; none may hold the exit.
            await Task.WhenAny(drained, Task.Delay(AbortGrace));
        }
    }

    private async Task AcceptLoopAsync()
    {
        var failures = new AcceptFailures();
        while (!_stopAccepting.IsCancellationRequested)
        {
            if (!DescriptorReserve.TryHold())
            {
                // Accept only while the reserve is whole: an accept must never take the room the runtime needs.
                await PauseAsync(failures.Backoff(LongestAcceptBackoff));
                continue;
            }
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
                if (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
                {
                    DescriptorReserve.Release(); // out of descriptors: the runtime gets room to work through it
                }
                // Out of descriptors leaves the connection in the backlog, so the listener stays readable: without a
                // growing pause the loop would spin a core, and without a rate limit it would fill the log.
                if (failures.Failed(e.Message, AcceptLogInterval) is { } line)
                {
                    _events.Raise(line);
                }
                await PauseAsync(failures.Backoff(LongestAcceptBackoff));
                continue;
            }
            if (failures.Recovered() is { } recovered)
            {
                _events.Raise(recovered);
            }
            Admit(connection);
        }
    }

    /// <summary>A pause that a stop cuts short: SIGTERM's drain does not wait out a backoff.</summary>
    private async Task PauseAsync(TimeSpan pause) =>
        await Task.Delay(pause, _stopAccepting.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private void Admit(Socket connection)
    {
        var peer = connection.RemoteEndPoint;
        if (_admission.TryAdmit((peer as IPEndPoint)?.Address, out var refused) is not { } ticket)
        {
            _events.Raise(new SessionRefused(peer, refused));
            SessionSocket.Close(connection);
            return;
        }
        IDaemonSession session;
        if (_protocol.Name == WireProtocol.Mux)
        {
            // A concentrator's connection holds a place of its own (its address's, too); each terminal takes another.
            session = new MuxConnection(connection, this, _events, ticket, _options.KeepAlive, _options.IdleTimeout);
        }
        else
        {
            _events.Raise(new SessionOpened(peer));
            session = new LoginSession(connection, _protocol, _model, _events, _options, ticket);
        }
        _sessions.TryAdd(session, 0);
        _ = session.Completion.ContinueWith(
            (_, state) => _sessions.TryRemove((IDaemonSession)state!, out var _), session, TaskScheduler.Default);
    }

    /// <summary>A terminal behind a concentrator is admitted as any session is but for its address: its connection's counted already.</summary>
    public Admission.AdmissionTicket? TryAdmit(TerminalEndPoint terminal, out string refusal)
    {
        if (_admission.TryAdmit(null, out var refused) is { } ticket)
        {
            refusal = "";
            return ticket;
        }
        _events.Raise(new SessionRefused(terminal, refused));
        refusal = refused switch
        {
            RefusalReason.MaxSessions => $"--max-sessions ({_options.MaxSessions}) are live",
            RefusalReason.MaxStartups => $"too many sessions are still opening (--max-startups {_options.MaxStartups})",
            _ => refused.ToString(),
        };
        return null;
    }

    public IDaemonSession Start(Socket inner, TerminalEndPoint terminal, Admission.AdmissionTicket ticket)
    {
        _events.Raise(new SessionOpened(terminal));
        return new LoginSession(inner, _protocol, _model, _events, _options, ticket, terminal);
    }

    /// <summary>The accept loop's run of failures: a doubling pause, and a log line for the first and then one an interval.</summary>
    private sealed class AcceptFailures
    {
        private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
        private int _inRun;
        private int _unlogged;
        private TimeSpan _backoff;
        private long _loggedAt;

        public AcceptFailed? Failed(string reason, TimeSpan logInterval)
        {
            _inRun++;
            _unlogged++;
            if (_inRun > 1 && Stopwatch.GetElapsedTime(_loggedAt) < logInterval)
            {
                return null;
            }
            _loggedAt = Stopwatch.GetTimestamp();
            var line = new AcceptFailed(reason, _unlogged);
            _unlogged = 0;
            return line;
        }

        public TimeSpan Backoff(TimeSpan longest)
        {
            _backoff = _backoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, longest.Ticks));
            return _backoff;
        }

        public AcceptRecovered? Recovered()
        {
            if (_inRun == 0)
            {
                return null;
            }
            var recovered = new AcceptRecovered(_inRun);
            (_inRun, _unlogged, _backoff) = (0, 0, TimeSpan.Zero);
            return recovered;
        }
    }
}
