using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Fills a pipe from a socket until the peer stops sending: a lane (<see cref="ISocketLane"/>) any driver steps, so the
/// blocking pump and the async one are this one class. A receive asks the pipe for little (<see cref="MinimumReceiveSize"/>,
/// usually the rest of the tail segment) until one fills all it was given: then the peer is streaming, and the next asks
/// for the stream floor's read (<see cref="StreamReceiveSize"/>). So a paste is received in large blocks, and a typist's
/// idle session holds a small segment, or none when it waits for data before asking the pipe (<paramref name="waitForData"/>).
/// </summary>
public sealed class SocketReceiver : ISocketLane
{
    public const int MinimumReceiveSize = 4096;

    public const int StreamReceiveSize = 64 * 1024;

    private readonly Socket? _socket;
    private readonly PipeWriter _writer;
    private readonly Action<int>? _onReceived;
    private readonly bool _waitForData;
    private int _size = MinimumReceiveSize;
    private int _lent;
    private ValueTask<FlushResult> _flush;
    private bool _flushing;
    private FlushResult? _flushed;
    private bool _stopped;
    private bool _completed;

    /// <summary>A pump for <see cref="RunAsync"/> on <paramref name="socket"/>, receiving into a buffer from the pipe as soon as it asks.</summary>
    public SocketReceiver(Socket socket, PipeWriter writer, Action<int>? onReceived = null)
        : this(writer, onReceived, waitForData: false)
    {
        _socket = socket;
    }

    /// <summary>A lane for any driver, whatever its socket or none.</summary>
    /// <param name="waitForData">Whether a driver that can should wait for data before the pipe lends a segment to receive into.</param>
    public SocketReceiver(PipeWriter writer, Action<int>? onReceived, bool waitForData)
    {
        _writer = writer;
        _onReceived = onReceived;
        _waitForData = waitForData;
    }

    /// <summary>What the next receive asks the pipe for, after one that got <paramref name="received"/> bytes of <paramref name="offered"/>.</summary>
    public static int NextReceiveSize(int received, int offered) => received == offered ? StreamReceiveSize : MinimumReceiveSize;

    /// <summary>The async pump: until the peer stops sending, then the pipe is completed (with the error, if one broke it).</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default) => await AsyncDriver.RunAsync(_socket ?? throw new InvalidOperationException("a lane made for another driver"), this, cancellationToken);

    public SocketStep Step()
    {
        if (_flushing)
        {
            if (_flushed is null && !_flush.IsCompleted)
            {
                return SocketStep.Wait(FlushedAsync()); // the reader is a pipe's worth behind
            }
            var flushed = _flushed ?? _flush.GetAwaiter().GetResult();
            _flushing = false;
            _flushed = null;
            _stopped |= flushed.IsCompleted || flushed.IsCanceled;
        }
        if (_stopped)
        {
            Complete(null);
            return SocketStep.Ended(LaneEnd.Completed);
        }
        // A peer that filled the last receive streams and has more to come: waiting for it would cost a peek a block.
        return SocketStep.Receive(_waitForData && _size == MinimumReceiveSize);
    }

    public Memory<byte> ReceiveBuffer()
    {
        var memory = _writer.GetMemory(_size);
        _lent = memory.Length;
        return memory;
    }

    public void Received(int bytes)
    {
        if (bytes == 0)
        {
            _stopped = true;
            return;
        }
        _size = NextReceiveSize(bytes, _lent);
        _writer.Advance(bytes);
        _onReceived?.Invoke(bytes);
        _flush = _writer.FlushAsync();
        _flushing = true;
    }

    /// <summary>The wait on a flush as every driver's kind of wait; pooled, so a wait allocates nothing, and its continuation runs where the pipe's scheduler puts it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushedAsync() => _flushed = await _flush;

    public void Sent(int bytes) => throw new InvalidOperationException("a receiver never asks to send");

    public void Abandon(Exception error) => Complete(error);

    private void Complete(Exception? error)
    {
        if (!_completed)
        {
            _completed = true;
            _writer.Complete(error);
        }
    }
}
