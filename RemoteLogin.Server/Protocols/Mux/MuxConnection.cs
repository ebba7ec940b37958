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

/// <summary>Starts a terminal's session on its end of a socket pair; null, and why, when the daemon's limits refuse it.</summary>
internal delegate IDaemonSession? TerminalStarter(Socket inner, TerminalEndPoint terminal, out string refusal);

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
    private readonly TerminalStarter _start;
    private readonly IDaemonEvents _events;
    private readonly Admission.AdmissionTicket _ticket;
    private readonly TimeSpan _idleTimeout;
    private readonly Pipe _inbound = new(new PipeOptions(useSynchronizationContext: false));
    // Never pauses, so a frame is written whole under the lock from any terminal's loop: what can wait in it is
    // bounded by the terminals' windows, since the concentrator grants credit only as its terminals take the bytes.
    private readonly Pipe _outbound = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _gate = new(); // the terminals, the outbound writer and whether it still takes frames
    private readonly Dictionary<ushort, MuxTerminal> _terminals = [];
    private readonly CancellationTokenSource _aborted = new();
    private bool _draining;
    private bool _writesEnded;

    public MuxConnection(Socket connection, TerminalStarter start, IDaemonEvents events, Admission.AdmissionTicket ticket, TimeSpan keepAlive, TimeSpan idleTimeout)
    {
        _connection = connection;
        _peer = (IPEndPoint)connection.RemoteEndPoint!;
        _start = start;
        _events = events;
        _ticket = ticket;
        _idleTimeout = idleTimeout;
        connection.NoDelay = true;
        SessionSocket.KeepAlive(connection, keepAlive);
        Completion = Task.Run(RunAsync);
    }

    public Task Completion { get; }

    /// <summary>No new terminals; every terminal drains; the connection ends once each has sent its last echo and its CLOSE.</summary>
    public void BeginDrain()
    {
        MuxTerminal[] terminals;
        lock (_gate)
        {
            if (_draining)
            {
                return;
            }
            _draining = true;
            terminals = [.. _terminals.Values];
        }
        foreach (var terminal in terminals)
        {
            terminal.Session?.BeginDrain();
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
            var sending = new SocketSender(_connection, _outbound.Reader).RunAsync(_aborted.Token);
            using var idle = IdleWatch.Start(_connection, _idleTimeout, () =>
            {
                _events.Raise(new SessionIdle(_peer, _idleTimeout));
                BeginDrain();
            });

            var (problem, upstreamEnded) = await ReadFramesAsync();
            _inbound.Reader.Complete(); // what still comes is discarded by the close's linger
            MuxTerminal[] terminals;
            lock (_gate)
            {
                terminals = [.. _terminals.Values];
            }
            if (problem is not null)
            {
                _events.Raise(new MuxBroken(_peer, problem, terminals.Length));
                WriteLast(problem);
                AbortTerminals();
            }
            else if (upstreamEnded)
            {
                foreach (var terminal in terminals)
                {
                    terminal.UpstreamEnded(); // each session echoes what it got, then ends
                }
            }
            await Task.WhenAll(terminals.Select(t => t.Completion));
            EndWrites();
            await sending;
            if (!await SessionSocket.CloseAsync(_connection, _aborted.Token))
            {
                _events.Raise(new LingerExpired(_peer, SessionSocket.Linger));
            }
            await receiving;
        }
    }

    /// <summary>Until the concentrator ends its side, a drain has no terminal left, an abort, or a broken frame (its problem).</summary>
    private async Task<(string? Problem, bool UpstreamEnded)> ReadFramesAsync()
    {
        var reader = _inbound.Reader;
        while (true)
        {
            var result = await reader.ReadAsync();
            var buffer = result.Buffer;
            string? problem = null;
            while (problem is null)
            {
                var read = MuxReader.TryRead(ref buffer);
                if (read.Status != MuxReadStatus.Frame)
                {
                    problem = read.IsMalformed ? read.Problem : null;
                    break;
                }
                problem = await HandleAsync(read.Frame);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (problem is not null)
            {
                return (problem, false);
            }
            if (_aborted.IsCancellationRequested || Drained())
            {
                return (null, false);
            }
            if (result.IsCompleted)
            {
                return (buffer.IsEmpty ? null : $"the connection ended {buffer.Length} bytes into a frame", true);
            }
        }
    }

    private bool Drained()
    {
        lock (_gate)
        {
            return _draining && _terminals.Values.All(t => t.Completion.IsCompleted);
        }
    }

    /// <summary>One frame, whole; a problem if it breaks the rules of the connection (its framing is already checked).</summary>
    private ValueTask<string?> HandleAsync(MuxFrame frame)
    {
        if (frame.Type == MuxFrameType.Open)
        {
            return OpenAsync(frame.Terminal);
        }
        if (frame.Type == MuxFrameType.Error)
        {
            return ValueTask.FromResult<string?>($"the concentrator reported: {frame.Text}");
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
        if (!draining)
        {
            try
            {
                var (outer, inner) = await UnixSockets.PairAsync();
                if (_start(inner, peer, out refusal) is { } session)
                {
                    terminal = new MuxTerminal(this, id, outer, session, _aborted.Token);
                }
                else
                {
                    inner.Dispose();
                    outer.Dispose();
                }
            }
            catch (SocketException e)
            {
                refusal = $"no socket pair for it ({e.Message})";
            }
        }
        terminal ??= MuxTerminal.Refused(this, id);
        lock (_gate)
        {
            _terminals[id] = terminal;
            draining = _draining;
        }
        if (terminal.Session is null)
        {
            WriteClose(id, $"refused: {refusal}");
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

    private void AbortTerminals()
    {
        MuxTerminal[] terminals;
        lock (_gate)
        {
            terminals = [.. _terminals.Values];
        }
        foreach (var terminal in terminals)
        {
            terminal.Session?.Abort();
        }
    }

    /// <summary>Both ends have sent the terminal's CLOSE: its number may open again.</summary>
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

    /// <summary>A terminal has run to its end: a drain waiting for the last one reads on to see whether it was.</summary>
    internal void Ended()
    {
        if (Volatile.Read(ref _draining))
        {
            _inbound.Reader.CancelPendingRead();
        }
    }

    internal void WriteData(ushort terminal, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (!_writesEnded)
            {
                MuxWriter.Data(_outbound.Writer, terminal, bytes);
                Flush();
            }
        }
    }

    internal void WriteCredit(ushort terminal, uint bytes)
    {
        lock (_gate)
        {
            if (!_writesEnded)
            {
                MuxWriter.Credit(_outbound.Writer, terminal, bytes);
                Flush();
            }
        }
    }

    internal void WriteClose(ushort terminal, string reason = "")
    {
        lock (_gate)
        {
            if (!_writesEnded)
            {
                MuxWriter.Close(_outbound.Writer, terminal, reason);
                Flush();
            }
        }
    }

    /// <summary>The ERROR frame, and nothing after it: the terminals' ends that follow would only confuse the concentrator.</summary>
    private void WriteLast(string problem)
    {
        lock (_gate)
        {
            if (!_writesEnded)
            {
                MuxWriter.Error(_outbound.Writer, problem);
                Flush();
            }
        }
        EndWrites();
    }

    private void EndWrites()
    {
        lock (_gate)
        {
            if (!_writesEnded)
            {
                _writesEnded = true;
                _outbound.Writer.Complete();
            }
        }
    }

    /// <summary>Never waits: the outbound pipe never pauses its writer.</summary>
    private void Flush() => _outbound.Writer.FlushAsync().GetAwaiter().GetResult();
}
