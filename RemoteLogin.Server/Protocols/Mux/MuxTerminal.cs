using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Protocols.Mux;

/// <summary>
/// One terminal of a mux connection: the daemon's end of the socket pair whose other end its session is served on
/// (a terminal inside a shared connection has no descriptor of its own to hand a thread or a child). Its DATA goes
/// into the pair as it comes, credited back as the pair takes it; what the session echoes goes out as DATA, never
/// past the window the concentrator has granted; the end of its echo goes out as CLOSE.
/// </summary>
internal sealed class MuxTerminal
{
    private readonly MuxConnection _connection;
    private readonly Socket? _outer;
    private readonly CancellationToken _stopped;
    // Written by the connection's read loop alone, never pausing: the receive window bounds what waits here.
    private readonly Pipe _toSession = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _gate = new(); // the windows and the two CLOSEs
    private readonly MuxSendWindow _sendWindow = new();
    private readonly MuxReceiveWindow _receiveWindow = new();
    private readonly SemaphoreSlim _credited = new(0, 1);
    private bool _upstreamClosed;
    private bool _closedToUpstream;

    /// <param name="stopped">The connection broke or was aborted: nothing this terminal waits for will come.</param>
    public MuxTerminal(MuxConnection connection, ushort id, Socket outer, IDaemonSession session, CancellationToken stopped)
    {
        _connection = connection;
        Id = id;
        _outer = outer;
        Session = session;
        _stopped = stopped;
    }

    private MuxTerminal(MuxConnection connection, ushort id)
    {
        _connection = connection;
        Id = id;
        _closedToUpstream = true;
        Completion = Task.CompletedTask;
    }

    /// <summary>A terminal the daemon refused: its CLOSE is sent, and whatever the concentrator sent before it saw that is dropped.</summary>
    public static MuxTerminal Refused(MuxConnection connection, ushort id) => new(connection, id);

    public ushort Id { get; }

    /// <summary>Its login session; null for a refused terminal.</summary>
    public IDaemonSession? Session { get; }

    /// <summary>Completes when the session has ended, its last echo is framed and its CLOSE written.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Runs the terminal; the connection hears when it has run to its end (<see cref="MuxConnection.Ended"/>).</summary>
    public void Start() => Completion = RunAsync().ContinueWith((_, state) => _connection.Ended((MuxTerminal)state!), this, TaskScheduler.Default);

    /// <summary>The concentrator's DATA for this terminal; a problem if it broke the window or came after its CLOSE.</summary>
    public string? FromUpstream(in ReadOnlySequence<byte> payload)
    {
        int length = (int)payload.Length;
        lock (_gate)
        {
            if (_upstreamClosed)
            {
                return $"DATA for terminal {Id} after its CLOSE";
            }
            if (!_receiveWindow.Receive(length))
            {
                return $"terminal {Id} sent {length} bytes past its window of {MuxLimits.Window}";
            }
        }
        if (Session is null)
        {
            Consumed(length); // refused: dropped, and credited so that the concentrator's window stays true
            return null;
        }
        try
        {
            foreach (var segment in payload)
            {
                _toSession.Writer.Write(segment.Span);
            }
            _toSession.Writer.FlushAsync().GetAwaiter().GetResult(); // never pauses
        }
        catch (Exception)
        {
            // The pipe rethrows the error its sender ended with: the session's end of the pair is gone, and so is
            // the session; its CLOSE is on its way, and what came for it is dropped.
        }
        return null;
    }

    /// <summary>The concentrator's CLOSE: the session gets the end of its input once what came before it is in.</summary>
    public string? UpstreamClosed()
    {
        bool forget;
        lock (_gate)
        {
            if (_upstreamClosed)
            {
                return $"a second CLOSE for terminal {Id}";
            }
            _upstreamClosed = true;
            forget = _closedToUpstream;
        }
        _toSession.Writer.Complete();
        if (forget)
        {
            _connection.Forget(this);
        }
        return null;
    }

    /// <summary>The concentrator's side ended, with or without this terminal's CLOSE: the same, as far as the session is concerned.</summary>
    public void UpstreamEnded() => UpstreamClosed(); // a CLOSE already received is no problem here

    public string? Credit(uint bytes)
    {
        lock (_gate)
        {
            if (!_sendWindow.Grant(bytes))
            {
                return $"CREDIT of {bytes} bytes for terminal {Id} opens its window past {MuxLimits.Window}";
            }
            if (_credited.CurrentCount == 0)
            {
                _credited.Release();
            }
        }
        return null;
    }

    private async Task RunAsync()
    {
        var outer = _outer!;
        var delivering = DeliverAsync(outer);
        try
        {
            await CollectAsync(outer); // until the session's end of the pair is shut: its last echo is in
            bool forget;
            lock (_gate)
            {
                _closedToUpstream = true;
                forget = _upstreamClosed;
            }
            _connection.Outbound.Close(Id);
            if (forget)
            {
                _connection.Forget(this); // both CLOSEs are sent: the number may open again while this one finishes
            }
            await Session!.Completion;
        }
        finally
        {
            _toSession.Reader.CancelPendingRead(); // nothing more can reach a session that has ended
            await delivering;
            outer.Dispose();
        }
    }

    /// <summary>The concentrator's bytes into the pair, credited back as the pair takes them; then the end of the session's input.</summary>
    private async Task DeliverAsync(Socket outer)
    {
        try
        {
            await new SocketSender(outer, _toSession.Reader, Consumed).RunAsync(_stopped);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The session's end went away, or the connection did.
        }
        SessionSocket.ShutdownQuietly(outer, SocketShutdown.Send);
    }

    private void Consumed(int bytes)
    {
        uint credit;
        lock (_gate)
        {
            credit = _receiveWindow.Consumed(bytes);
        }
        if (credit > 0)
        {
            _connection.Outbound.Credit(Id, credit);
        }
    }

    /// <summary>The session's echo, framed as it comes and no faster than the concentrator's credit allows.</summary>
    private async Task CollectAsync(Socket outer)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                int room;
                while ((room = Available()) == 0)
                {
                    await _credited.WaitAsync(_stopped);
                }
                // Wait for data before renting a buffer: an idle terminal holds none.
                await outer.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, _stopped);
                buffer = ArrayPool<byte>.Shared.Rent(MuxLimits.MaxDataPayload);
                int received = await outer.ReceiveAsync(buffer.AsMemory(0, Math.Min(room, MuxLimits.MaxDataPayload)), SocketFlags.None, _stopped);
                if (received == 0)
                {
                    return;
                }
                lock (_gate)
                {
                    _sendWindow.Take(received);
                }
                _connection.Outbound.Data(Id, buffer.AsSpan(0, received));
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The session's end went away under it, or the connection broke: its CLOSE still goes out, if it can.
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private int Available()
    {
        lock (_gate)
        {
            return _sendWindow.Available;
        }
    }
}
