using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace RemoteLogin.Sockets;

/// <summary>
/// Drains a pipe into a socket: a lane (<see cref="ISocketLane"/>) any driver steps, blocking or async. Everything
/// flushed since the last send goes out together, a read of many segments as one gathered send (the drivers'
/// <see cref="GatheredSend"/>), not a send per segment.
/// </summary>
public sealed class SocketSender : ISocketLane
{
    private readonly Socket? _socket;
    private readonly PipeReader _reader;
    private readonly Action<int>? _onSent;
    private ValueTask<ReadResult> _read;
    private bool _reading;
    private ReadResult? _readDone;
    private ReadResult _result;
    private ReadOnlySequence<byte> _unsent;
    private bool _sending;
    private bool _completed;

    /// <summary>A pump for <see cref="RunAsync"/> on <paramref name="socket"/>.</summary>
    public SocketSender(Socket socket, PipeReader reader, Action<int>? onSent = null)
        : this(reader, onSent)
    {
        _socket = socket;
    }

    /// <summary>A lane for any driver, whatever its socket or none.</summary>
    public SocketSender(PipeReader reader, Action<int>? onSent)
    {
        _reader = reader;
        _onSent = onSent;
    }

    /// <summary>The async pump: until the pipe's writer completes and everything it wrote went out.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default) => await AsyncDriver.RunAsync(_socket ?? throw new InvalidOperationException("a lane made for another driver"), this, cancellationToken);

    public SocketStep Step()
    {
        while (true)
        {
            if (_sending)
            {
                return SocketStep.Send(_unsent);
            }
            if (_result.IsCompleted || _result.IsCanceled)
            {
                Complete(null);
                return SocketStep.Ended(LaneEnd.Completed);
            }
            if (!_reading)
            {
                if (_reader.TryRead(out var ready))
                {
                    Take(ready);
                    continue;
                }
                _read = _reader.ReadAsync();
                _reading = true;
            }
            if (_readDone is null && !_read.IsCompleted)
            {
                return SocketStep.Wait(ReadAsync());
            }
            var read = _readDone ?? _read.GetAwaiter().GetResult();
            _reading = false;
            _readDone = null;
            Take(read);
        }
    }

    /// <summary>The wait on a read as every driver's kind of wait; pooled, so a wait allocates nothing, and its continuation runs where the pipe's scheduler puts it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadAsync() => _readDone = await _read;

    public Memory<byte> ReceiveBuffer() => throw new InvalidOperationException("a sender never asks to receive");

    public void Received(int bytes) => throw new InvalidOperationException("a sender never asks to receive");

    public void Sent(int bytes)
    {
        _onSent?.Invoke(bytes);
        _unsent = _unsent.Slice(bytes);
        if (_unsent.IsEmpty)
        {
            _sending = false;
            _reader.AdvanceTo(_result.Buffer.End);
        }
    }

    public void Abandon(Exception error) => Complete(error);

    private void Take(in ReadResult result)
    {
        _result = result;
        _unsent = result.Buffer;
        _sending = !_unsent.IsEmpty;
        if (!_sending)
        {
            _reader.AdvanceTo(result.Buffer.End);
        }
    }

    private void Complete(Exception? error)
    {
        if (!_completed)
        {
            _completed = true;
            _reader.Complete(error);
        }
    }
}
