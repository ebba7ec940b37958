using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Sockets;

namespace RemoteLogin.Client.Concentrator;

/// <summary>How the host's connection ended: <see cref="Problem"/> is null when the host ended it cleanly, every terminal closed.</summary>
internal readonly record struct UpstreamEnd(string? Problem);

/// <summary>
/// The concentrator's one connection to the host, in mux: every terminal's frames go out through one
/// <see cref="MuxOutbound"/>, as many as are ready (or as came within the flush delay) in one gathered send; the host's
/// frames are read in one loop and handed to their lines. A frame from the host that breaks the framing ends the
/// connection with an ERROR, since nothing after it can be trusted to start a frame; the lines are told by the
/// concentrator, which owns them.
/// </summary>
internal sealed class Upstream
{
    private readonly Socket _socket;
    private readonly TimeSpan _flushDelay;
    private readonly Pipe _inbound = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Lock _gate = new(); // the lines and the free numbers
    private readonly Dictionary<ushort, TerminalLine> _lines = []; // by number, from OPEN until both ends have sent its CLOSE
    private readonly Queue<ushort> _free; // oldest freed first, so a number just let go is the last to be used again
    private Task _sending = Task.CompletedTask;
    private Task _receiving = Task.CompletedTask;
    private volatile bool _sendFailed;

    private Upstream(Socket socket, int maxTerminals, TimeSpan flushDelay)
    {
        _socket = socket;
        _flushDelay = flushDelay;
        _free = new(Enumerable.Range(1, maxTerminals).Select(n => (ushort)n));
        Host = socket.RemoteEndPoint!.ToString()!;
    }

    /// <summary>The host's ADDRESS:PORT, for messages.</summary>
    public string Host { get; }

    public MuxOutbound Outbound { get; } = new();

    public static async Task<Upstream> ConnectAsync(IPEndPoint host, int maxTerminals, TimeSpan flushDelay, TimeSpan keepAlive, CancellationToken cancellationToken)
    {
        var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, cancellationToken);
            SessionSocket.KeepAlive(socket, keepAlive);
            return new Upstream(socket, maxTerminals, flushDelay);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A number for a new terminal, or null when every number is in use.</summary>
    public ushort? TakeNumber()
    {
        lock (_gate)
        {
            return _free.TryDequeue(out var number) ? number : null;
        }
    }

    /// <summary>The line's terminal has passed its opening: the host hears of it, and its frames find it from now on.</summary>
    public void Open(TerminalLine line, string name)
    {
        lock (_gate)
        {
            _lines[line.Id] = line;
        }
        Outbound.Open(line.Id, name);
    }

    /// <summary>Both ends have sent the terminal's CLOSE: its number may be given again.</summary>
    public void Forget(TerminalLine line)
    {
        lock (_gate)
        {
            if (_lines.TryGetValue(line.Id, out var held) && held == line)
            {
                _lines.Remove(line.Id);
                _free.Enqueue(line.Id);
            }
        }
    }

    /// <summary>The terminal never passed its opening, so the host never heard of its number.</summary>
    public void Unused(TerminalLine line)
    {
        lock (_gate)
        {
            _free.Enqueue(line.Id);
        }
    }

    /// <summary>Reads the host's frames until the connection ends, and says how it did.</summary>
    public async Task<UpstreamEnd> RunAsync()
    {
        _receiving = new SocketReceiver(_socket, _inbound.Writer).RunAsync();
        PipeReader frames = _flushDelay > TimeSpan.Zero ? new FlushDelayReader(Outbound.Reader, _flushDelay) : Outbound.Reader;
        _sending = new SocketSender(_socket, frames).RunAsync();
        // A send side that ends before the concentrator asked it to has failed.
        _ = _sending.ContinueWith(_ =>
        {
            if (Outbound.End())
            {
                _sendFailed = true;
                _inbound.Reader.CancelPendingRead();
            }
        }, TaskScheduler.Default);
        var end = await ReadFramesAsync();
        _inbound.Reader.Complete(); // the receive side stops at its next receive, or when the socket is closed
        return end;
    }

    /// <summary>
    /// Every line is over: the last frames get a linger's time to leave, then a FIN, and the host's own end
    /// (<paramref name="run"/>, from <see cref="RunAsync"/>) is awaited as long again: a host that neither reads nor
    /// ends cannot hold the concentrator. The read loop alone reads the socket, to its end.
    /// </summary>
    public async Task<UpstreamEnd> CloseAsync(Task<UpstreamEnd> run)
    {
        Outbound.End();
        await _sending.WaitAsync(SessionSocket.Linger).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        SessionSocket.ShutdownQuietly(_socket, SocketShutdown.Send);
        await ((Task)run).WaitAsync(SessionSocket.Linger).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return run.IsCompletedSuccessfully ? run.Result : new("the host did not end the connection within the linger after the concentrator's FIN");
    }

    /// <summary>Everything stops now: a broken connection, or a drain out of time.</summary>
    public void Abort()
    {
        Outbound.End();
        _socket.Dispose();
    }

    /// <summary>The host's terminals still open, those whose CLOSE from the host has not come.</summary>
    public int OpenTerminals()
    {
        lock (_gate)
        {
            return _lines.Values.Count(line => !line.HostHasClosed);
        }
    }

    /// <summary>The host's frames until the connection ends; broken framing gets an ERROR back, the host's own ERROR none.</summary>
    private async Task<UpstreamEnd> ReadFramesAsync()
    {
        var end = await MuxFrameLoop.RunAsync(
            _inbound.Reader,
            frame => ValueTask.FromResult(Handle(frame)),
            () => _sendFailed ? new(MuxLoopEnd.Lost, "connection lost: sending to it failed") : null);
        switch (end.End)
        {
            case MuxLoopEnd.Broken:
                Outbound.Last(end.Problem!);
                return new(end.Problem);
            case MuxLoopEnd.PeerReported:
                return new($"the host reported: {end.Problem}");
            case MuxLoopEnd.PeerEnded:
                int open = OpenTerminals();
                return new(open == 0 ? null : $"the host ended the connection with {open} terminal(s) open");
            default:
                return new(end.Problem);
        }
    }

    /// <summary>One frame of the host's, whole; a problem if it breaks the rules of the connection.</summary>
    private string? Handle(MuxFrame frame)
    {
        if (frame.Type == MuxFrameType.Open)
        {
            return $"OPEN for terminal {frame.Terminal}: only the concentrator opens terminals";
        }
        TerminalLine? line;
        lock (_gate)
        {
            _lines.TryGetValue(frame.Terminal, out line);
        }
        if (line is null)
        {
            // A CREDIT may cross the terminal's last CLOSE; anything else for a number not open is the host's mistake.
            return frame.Type == MuxFrameType.Credit ? null : $"{frame.Type.ToString().ToUpperInvariant()} for terminal {frame.Terminal}, which is not open";
        }
        return frame.Type switch
        {
            MuxFrameType.Data => line.FromHost(frame.Payload),
            MuxFrameType.Close => line.HostClosed(frame.Text),
            _ => line.Credit(frame.Credit),
        };
    }
}
