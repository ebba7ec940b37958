using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Protocols.Mux;

/// <summary>Where a mux connection's terminals get their places among the daemon's limits and their sessions.</summary>
internal interface ITerminalHost
{
    /// <summary>A place for the terminal, or null and why not; asked before anything is made for it.</summary>
    Admission.AdmissionTicket? TryAdmit(TerminalEndPoint terminal, out string refusal);

    /// <summary>The terminal's session, served on <paramref name="inner"/>, its end of a socket pair.</summary>
    IDaemonSession Start(Socket inner, TerminalEndPoint terminal, Admission.AdmissionTicket ticket);
}

/// <summary>
/// One concentrator's connection: its frames read in one loop and handed to its terminals (<see cref="MuxTerminal"/>),
/// each a session of its own on a socket pair, under every model; what the terminals send back is framed into one
/// outbound pipe that one pump sends, as many frames as are ready in one gathered send. A terminal that stops
/// reading stops only its own window; a frame that breaks the framing ends the connection and all its terminals,
/// since nothing after it can be trusted to start a frame.
/// </summary>
internal sealed class MuxConnection : IDaemonSession
{
    private readonly Socket _connection;
    private readonly IPEndPoint _peer;
    private readonly ITerminalHost _host;
    private readonly IDaemonEvents _events;
    private readonly Admission.AdmissionTicket _ticket;
    private readonly TimeSpan _idleTimeout;
    private readonly Pipe _inbound = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Lock _gate = new(); // the terminals
    private readonly Dictionary<ushort, MuxTerminal> _terminals = []; // by number, until both ends have sent its CLOSE
    private readonly HashSet<MuxTerminal> _running = []; // until each has run to its end, whatever its number does meanwhile
    private readonly CancellationTokenSource _aborted = new();
    // Ends every terminal's waits (for credit, for its session's echo): an abort, or a connection that broke.
    private readonly CancellationTokenSource _terminalsStopped;
    private bool _draining;
    private volatile bool _sendFailed;

    public MuxConnection(Socket connection, ITerminalHost host, IDaemonEvents events, Admission.AdmissionTicket ticket, TimeSpan keepAlive, TimeSpan idleTimeout)
    {
        _connection = connection;
        _peer = (IPEndPoint)connection.RemoteEndPoint!;
        _host = host;
        _events = events;
        _ticket = ticket;
        _idleTimeout = idleTimeout;
        _terminalsStopped = CancellationTokenSource.CreateLinkedTokenSource(_aborted.Token);
        try
        {
            connection.NoDelay = true;
            SessionSocket.KeepAlive(connection, keepAlive);
        }
        catch (SocketException)
        {
            // Gone already: the read loop finds it lost.
        }
        Completion = Task.Run(RunAsync);
    }

    public Task Completion { get; }

    /// <summary>Where every terminal's frames go, and the connection's own.</summary>
    internal MuxOutbound Outbound { get; } = new();

    /// <summary>No new terminals; every terminal drains; the connection ends once each has sent its last echo and its CLOSE.</summary>
    public void BeginDrain()
    {
        MuxTerminal[] running;
        lock (_gate)
        {
            if (_draining)
            {
                return;
            }
            _draining = true;
            running = [.. _running];
        }
        foreach (var terminal in running)
        {
            terminal.Session!.BeginDrain();
        }
        _inbound.Reader.CancelPendingRead(); // for a connection with no terminal left to wait for
    }

    public void Abort()
    {
        _aborted.Cancel();
        AbortTerminals();
        _inbound.Reader.CancelPendingRead();
    }

    private async Task RunAsync()
    {
        using (_ticket)
        {
            _ticket.StartupDone(); // the connection has no opening; each terminal's is its own
            var receiving = new SocketReceiver(_connection, _inbound.Writer).RunAsync(_aborted.Token);
            var sending = new SocketSender(_connection, Outbound.Reader).RunAsync(_aborted.Token);
            _ = sending.ContinueWith(_ => SendingEnded(), TaskScheduler.Default);
            using var idle = IdleWatch.Start(_connection, _idleTimeout, () =>
            {
                _events.Raise(new SessionIdle(_peer, _idleTimeout));
                BeginDrain();
            });

            var end = await ReadFramesAsync();
            _inbound.Reader.Complete(); // what still comes is discarded by the close's linger
            int terminals;
            lock (_gate)
            {
                terminals = _running.Count;
            }
            switch (end.End)
            {
                case MuxLoopEnd.Broken:
                    _events.Raise(new MuxBroken(_peer, end.Problem!, terminals));
                    Outbound.Last(end.Problem!);
                    StopTerminals();
                    break;
                case MuxLoopEnd.Lost or MuxLoopEnd.PeerReported:
                    string problem = end.End == MuxLoopEnd.Lost ? end.Problem! : $"the concentrator reported: {end.Problem}";
                    _events.Raise(new MuxBroken(_peer, problem, terminals));
                    Outbound.End();
                    StopTerminals();
                    break;
                case MuxLoopEnd.PeerEnded:
                    MuxTerminal[] open;
                    lock (_gate)
                    {
                        open = [.. _terminals.Values];
                    }
                    foreach (var terminal in open)
                    {
                        terminal.UpstreamEnded(); // each session echoes what it got, then ends
                    }
                    break;
            }
            Task[] ending;
            lock (_gate)
            {
                ending = [.. _running.Select(t => t.Completion)];
            }
            await Task.WhenAll(ending);
            Outbound.End();
            // The last frames get a linger's time to leave: a concentrator that does not read cannot hold the close.
            await sending.WaitAsync(SessionSocket.Linger).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!await SessionSocket.CloseAsync(_connection, _aborted.Token))
            {
                _events.Raise(new LingerExpired(_peer, SessionSocket.Linger));
            }
            await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The concentrator's frames until one of <see cref="MuxLoopEnd"/>: a drain with no terminal left or an abort stops it, and so does a failed send.</summary>
    private Task<MuxLoopResult> ReadFramesAsync() => MuxFrameLoop.RunAsync(_inbound.Reader, HandleAsync, () =>
        _sendFailed ? new(MuxLoopEnd.Lost, "connection lost: sending to it failed")
        : _aborted.IsCancellationRequested || Drained() ? new(MuxLoopEnd.Stopped)
        : null);

    private bool Drained()
    {
        lock (_gate)
        {
            return _draining && _running.Count == 0;
        }
    }

    /// <summary>One frame, whole; a problem if it breaks the rules of the connection (its framing is already checked).</summary>
    private ValueTask<string?> HandleAsync(MuxFrame frame)
    {
        if (frame.Type == MuxFrameType.Open)
        {
            return OpenAsync(frame.Terminal);
        }
        MuxTerminal? terminal;
        lock (_gate)
        {
            _terminals.TryGetValue(frame.Terminal, out terminal);
        }
        if (terminal is null && frame.Type == MuxFrameType.Credit)
        {
            return ValueTask.FromResult<string?>(null); // for echoes that crossed the terminal's last CLOSE: nothing left to grant
        }
        if (terminal is null)
        {
            return ValueTask.FromResult<string?>($"{frame.Type.ToString().ToUpperInvariant()} for terminal {frame.Terminal}, which is not open");
        }
        return ValueTask.FromResult(frame.Type switch
        {
            MuxFrameType.Data => terminal.FromUpstream(frame.Payload),
            MuxFrameType.Close => terminal.UpstreamClosed(),
            _ => terminal.Credit(frame.Credit),
        });
    }

    private async ValueTask<string?> OpenAsync(ushort id)
    {
        bool draining;
        lock (_gate)
        {
            if (_terminals.ContainsKey(id))
            {
                return $"OPEN for terminal {id}, which is open (a terminal is open until both ends have sent its CLOSE)";
            }
            draining = _draining;
        }
        var peer = new TerminalEndPoint(_peer, id);
        string refusal = "the daemon is stopping";
        MuxTerminal? terminal = null;
        // Admitted first: a refused terminal costs no socket pair.
        if (!draining && _host.TryAdmit(peer, out refusal) is { } ticket)
        {
            try
            {
                var (outer, inner) = await UnixSockets.PairAsync();
                terminal = new MuxTerminal(this, id, outer, _host.Start(inner, peer, ticket), _terminalsStopped.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                ticket.Dispose();
                refusal = $"no socket pair for it ({e.Message})";
            }
        }
        terminal ??= MuxTerminal.Refused(this, id);
        lock (_gate)
        {
            _terminals[id] = terminal;
            if (terminal.Session is not null)
            {
                _running.Add(terminal);
            }
            draining = _draining;
        }
        if (terminal.Session is null)
        {
            Outbound.Close(id, $"refused: {refusal}");
        }
        else
        {
            terminal.Start();
            if (draining)
            {
                terminal.Session.BeginDrain(); // the drain began while its socket pair was being made
            }
        }
        return null;
    }

    /// <summary>The connection broke: every terminal's session ends now, and nothing waits on the concentrator any more.</summary>
    private void StopTerminals()
    {
        _terminalsStopped.Cancel();
        AbortTerminals();
    }

    private void AbortTerminals()
    {
        MuxTerminal[] running;
        lock (_gate)
        {
            running = [.. _running];
        }
        foreach (var terminal in running)
        {
            terminal.Session!.Abort();
        }
    }

    /// <summary>A send side that ends before the connection asked it to has failed: nothing more can be said.</summary>
    private void SendingEnded()
    {
        if (Outbound.End())
        {
            _sendFailed = true;
            _inbound.Reader.CancelPendingRead();
        }
    }

    /// <summary>Both ends have sent the terminal's CLOSE: its number may open again, whether or not its session has finished.</summary>
    internal void Forget(MuxTerminal terminal)
    {
        lock (_gate)
        {
            if (_terminals.TryGetValue(terminal.Id, out var held) && held == terminal)
            {
                _terminals.Remove(terminal.Id);
            }
        }
    }

    /// <summary>A terminal has run to its end; a drain waiting for the last one reads on to see it was.</summary>
    internal void Ended(MuxTerminal terminal)
    {
        bool drained;
        lock (_gate)
        {
            _running.Remove(terminal);
            drained = _draining && _running.Count == 0;
        }
        if (drained)
        {
            _inbound.Reader.CancelPendingRead();
        }
    }
}
