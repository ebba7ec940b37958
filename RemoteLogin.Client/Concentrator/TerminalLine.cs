using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Client.Concentrator.Lines;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Sockets;

namespace RemoteLogin.Client.Concentrator;

/// <summary>
/// One terminal's line: its own TCP connection to the concentrator, and its number on the host's connection. What
/// the terminal types goes to the host as DATA, no faster than the host's credit allows (so a host that stops taking
/// a terminal's bytes stops that terminal's TCP window, no one else's); what the host sends is queued for the terminal
/// and credited back only as the terminal's socket takes it, so a terminal that stops reading closes its own window
/// and holds at most a window of the concentrator's memory. Each end's CLOSE ends one direction; the line is over
/// once both are sent and the terminal has had the last of the host's bytes, then a FIN.
/// </summary>
internal sealed class TerminalLine
{
    private readonly Socket _terminal;
    private readonly Upstream _upstream;
    private readonly ILineProtocol _protocol;
    private readonly ILineCodec _codec;
    private readonly Lock _gate = new(); // the windows, the terminal's queue and the CLOSEs
    private readonly MuxSendWindow _toHostWindow = new();
    private readonly MuxReceiveWindow _fromHostWindow = new();
    private readonly SemaphoreSlim _credited = new(0, 1);
    // Written by the upstream's read loop (the host's bytes) and this line's reader (the concentrator's own answers), never pausing: the window bounds it.
    private readonly Pipe _toTerminal = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    // The host's bytes queued for the terminal, by where their encoding ends in the terminal's stream: credited once sent.
    private readonly Queue<(long EncodedEnd, int HostBytes)> _queued = new();
    private readonly ArrayBufferWriter<byte> _toHost = new(MuxLimits.MaxDataPayload);
    private readonly ArrayBufferWriter<byte> _answers = new(64);
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource _hostDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _encodedWritten;
    private long _encodedSent;
    private bool _toTerminalEnded;
    private bool _hostClosed;
    private bool _closedToHost;

    public TerminalLine(ushort id, Socket terminal, Upstream upstream, ILineProtocol protocol)
    {
        Id = id;
        _terminal = terminal;
        _upstream = upstream;
        _protocol = protocol;
        _codec = protocol.NewCodec();
        Peer = terminal.RemoteEndPoint?.ToString() ?? "?";
    }

    public ushort Id { get; }

    /// <summary>Where the terminal connected from, for the host's OPEN and the concentrator's messages.</summary>
    public string Peer { get; }

    /// <summary>Whether the host's CLOSE for this terminal has come.</summary>
    public bool HostHasClosed
    {
        get
        {
            lock (_gate)
            {
                return _hostClosed;
            }
        }
    }

    /// <summary>Completes when the line is over and its socket closed, whatever ended it.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start(TimeSpan openingTimeout) => Completion = RunAsync(openingTimeout);

    /// <summary>SIGTERM: the terminal's input stops here; the host echoes what it had, closes, and the line ends.</summary>
    public void BeginDrain() => _stopReading.Cancel();

    /// <summary>The drain took too long, or the concentrator is going: everything stops now.</summary>
    public void Abort()
    {
        _aborted.Cancel();
        _stopReading.Cancel();
        _hostDone.TrySetResult();
    }

    /// <summary>The host's connection broke: the terminal is told why, and the line ends without waiting for the host.</summary>
    public void UpstreamBroken(string message)
    {
        EndToTerminal($"\r\nconcentrator: {message}\r\n");
        _stopReading.Cancel();
        _hostDone.TrySetResult();
    }

    /// <summary>The host's DATA for this terminal; a problem if it broke the window or came after the host's CLOSE.</summary>
    public string? FromHost(in ReadOnlySequence<byte> payload)
    {
        int length = (int)payload.Length;
        lock (_gate)
        {
            if (_hostClosed)
            {
                return $"DATA for terminal {Id} after its CLOSE";
            }
            if (!_fromHostWindow.Receive(length))
            {
                return $"terminal {Id} was sent {length} bytes past its window of {MuxLimits.Window}";
            }
            if (_toTerminalEnded)
            {
                Credit(length); // the terminal is gone: dropped, and credited so the host's echo is not held
            }
            else
            {
                var writer = _toTerminal.Writer;
                foreach (var segment in payload)
                {
                    _codec.ToTerminal(segment.Span, writer);
                }
                Queue(length);
            }
        }
        return null;
    }

    /// <summary>The host's CREDIT; a problem if it opens the window past its size.</summary>
    public string? Credit(uint bytes)
    {
        lock (_gate)
        {
            if (!_toHostWindow.Grant(bytes))
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

    /// <summary>The host's CLOSE: the terminal gets what came before it, the reason if there is one, then a FIN; its typing is no longer wanted.</summary>
    public string? HostClosed(string reason)
    {
        bool forget;
        lock (_gate)
        {
            if (_hostClosed)
            {
                return $"a second CLOSE for terminal {Id}";
            }
            _hostClosed = true;
            forget = _closedToHost;
        }
        EndToTerminal(reason.Length == 0 ? null : $"\r\nconcentrator: the host closed this terminal: {reason}\r\n");
        _stopReading.Cancel();
        _hostDone.TrySetResult();
        if (forget)
        {
            _upstream.Forget(this);
        }
        return null;
    }

    private async Task RunAsync(TimeSpan openingTimeout)
    {
        try
        {
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_aborted.Token))
            {
                deadline.CancelAfter(openingTimeout);
                LineOpening opening;
                try
                {
                    opening = await _protocol.OpenAsync(_terminal, deadline.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    opening = new LineOpening($"{_protocol.Name.ToString().ToLowerInvariant()}: the opening failed ({e.Message})");
                }
                if (opening.Error is not null)
                {
                    await SessionSocket.CloseAsync(_terminal, _aborted.Token);
                    _upstream.Unused(this);
                    return;
                }
            }
            _upstream.Open(this, $"{_protocol.Name.ToString().ToLowerInvariant()} {Peer}");
            var delivering = DeliverAsync();
            string reason = await ReadTerminalAsync();
            CloseToHost(reason);
            await _hostDone.Task;
            await delivering;
            await SessionSocket.CloseAsync(_terminal, _aborted.Token);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            _terminal.Dispose(); // aborted: whatever was left goes with it
        }
    }

    /// <summary>The terminal's bytes to the host until it stops sending, breaks its protocol, or is no longer wanted; why, for the CLOSE.</summary>
    private async Task<string> ReadTerminalAsync()
    {
        var stop = _stopReading.Token;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // What the codec holds may come out with the next read's bytes: both within the window.
                int room = await RoomAsync(_codec.Held + 1, stop) - _codec.Held;
                // Wait for data before renting a buffer: an idle terminal holds none.
                await _terminal.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stop);
                buffer = ArrayPool<byte>.Shared.Rent(MuxLimits.MaxDataPayload);
                int received = await _terminal.ReceiveAsync(buffer.AsMemory(0, Math.Min(room, MuxLimits.MaxDataPayload)), SocketFlags.None, stop);
                if (received == 0)
                {
                    await RoomAsync(_codec.Held, stop);
                    Forward(Decoded.Written, finish: true);
                    return "";
                }
                var decoded = _codec.FromTerminal(buffer.AsSpan(0, received), _toHost, _answers);
                if (decoded.As == DecodedAs.Broken)
                {
                    EndToTerminal($"\r\nconcentrator: {decoded.Error}\r\n");
                    return decoded.Error!;
                }
                Forward(decoded, finish: false, buffer.AsSpan(0, received));
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (OperationCanceledException)
        {
            return ""; // the host closed, a drain, or the end
        }
        catch (SocketException e)
        {
            return $"the terminal's connection failed: {e.Message}";
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>What one read decoded to, as DATA within the window (the read left room for what the codec held), and the answers the terminal is owed.</summary>
    private void Forward(Decoded decoded, bool finish, ReadOnlySpan<byte> received = default)
    {
        if (finish)
        {
            _codec.Finish(_toHost);
        }
        var data = decoded.As == DecodedAs.Received ? received : _toHost.WrittenSpan;
        if (!data.IsEmpty)
        {
            lock (_gate)
            {
                _toHostWindow.Take(data.Length);
            }
            _upstream.Outbound.Data(Id, data);
        }
        _toHost.ResetWrittenCount();
        if (_answers.WrittenCount > 0)
        {
            lock (_gate)
            {
                if (!_toTerminalEnded)
                {
                    _toTerminal.Writer.Write(_answers.WrittenSpan);
                    Queue(0);
                }
            }
            _answers.ResetWrittenCount();
        }
    }

    private void CloseToHost(string reason)
    {
        if (_aborted.IsCancellationRequested)
        {
            return;
        }
        bool forget;
        lock (_gate)
        {
            // Written before the flag can be seen: once both CLOSEs are, the number may open again, and its OPEN must come after this.
            _upstream.Outbound.Close(Id, reason);
            _closedToHost = true;
            forget = _hostClosed;
        }
        if (forget)
        {
            _upstream.Forget(this); // both CLOSEs are sent: the number may open again while this line finishes
        }
    }

    /// <summary>The host's bytes into the terminal's socket, credited back as it takes them; ends once the host's CLOSE has been delivered.</summary>
    private async Task DeliverAsync()
    {
        try
        {
            await new SocketSender(_terminal, _toTerminal.Reader, SentToTerminal).RunAsync(_aborted.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The driver hands a failed send back through the pipe, not here; this is for what escapes it.
        }
        // However the sender ended (the host's CLOSE delivered, the terminal gone, an abort), nothing more reaches the
        // terminal: what the host still sends, and what is queued unsent, is dropped and credited, so its echo never waits on this window.
        EndToTerminal(null);
    }

    private void SentToTerminal(int bytes)
    {
        int taken = 0;
        lock (_gate)
        {
            _encodedSent += bytes;
            while (_queued.TryPeek(out var queued) && queued.EncodedEnd <= _encodedSent)
            {
                taken += _queued.Dequeue().HostBytes;
            }
            Credit(taken);
        }
    }

    /// <summary>
    /// The host's bytes the terminal has taken (or that were dropped for it), granted back once they make a lump;
    /// under the lock, so no CREDIT is written after the host's CLOSE, when the number may already be another terminal's.
    /// </summary>
    private void Credit(int consumed)
    {
        if (consumed == 0)
        {
            return;
        }
        uint credit = _fromHostWindow.Consumed(consumed);
        if (credit > 0 && !_hostClosed)
        {
            _upstream.Outbound.Credit(Id, credit);
        }
    }

    /// <summary>Flushes what was just written for the terminal, <paramref name="hostBytes"/> of the host's among it; under the lock.</summary>
    private void Queue(int hostBytes)
    {
        var writer = _toTerminal.Writer;
        _encodedWritten += writer.UnflushedBytes;
        if (hostBytes > 0)
        {
            _queued.Enqueue((_encodedWritten, hostBytes));
        }
        try
        {
            writer.FlushAsync().GetAwaiter().GetResult(); // never pauses
        }
        catch (Exception)
        {
            // The sender failed and handed its error back: the terminal is gone, and DeliverAsync says so.
        }
    }

    /// <summary>
    /// Nothing more for the terminal but <paramref name="last"/>: its queue ends, and the host's bytes still queued or
    /// still to come are credited at once, so a host echoing to a terminal that is gone is never held by its window.
    /// </summary>
    private void EndToTerminal(string? last)
    {
        lock (_gate)
        {
            if (!_toTerminalEnded)
            {
                _toTerminalEnded = true;
                if (last is not null)
                {
                    System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, last, _toTerminal.Writer);
                    Queue(0);
                }
                _toTerminal.Writer.Complete();
            }
            int queued = 0;
            while (_queued.TryDequeue(out var entry))
            {
                queued += entry.HostBytes;
            }
            Credit(queued);
        }
    }

    /// <summary>The window's room once it is at least <paramref name="needed"/> bytes, waiting for the host's credit until it is.</summary>
    private async ValueTask<int> RoomAsync(int needed, CancellationToken stop)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_toHostWindow.Available >= needed)
                {
                    return _toHostWindow.Available;
                }
            }
            await _credited.WaitAsync(stop);
        }
    }
}
