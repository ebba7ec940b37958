using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// Characters are copied into one reused buffer and sent with one call when it is full or when the oldest
/// has waited the batch delay, as Nagle's algorithm would hold them. Echoes: whatever one receive returns.
/// </summary>
internal sealed class BatchedTransport : BlockingTransport
{
    private readonly byte[] _batch;
    private readonly long _delayTicks;
    private int _pending;
    private readonly int _receiveSize;
    private long _oldestAt;

    public BatchedTransport(Socket socket, EchoWindow window, TransportSettings settings)
        : base(socket, window, settings)
    {
        _receiveSize = Math.Max(settings.BatchSize, 4096);
        _batch = new byte[settings.BatchSize];
        _delayTicks = (long)(settings.BatchDelay.TotalSeconds * Stopwatch.Frequency);
    }

    public override long FlushDeadline => _pending > 0 ? _oldestAt + _delayTicks : long.MaxValue;

    public override void Flush()
    {
        if (_pending > 0)
        {
            SendCopied(_batch.AsMemory(0, _pending));
            _pending = 0;
        }
    }

    protected override void Send(long first, int count)
    {
        // A send that would block leaves the batch where it is for the background send, and the typing loop types
        // nothing more into the session until it is out; a run that filled the batch twice would write over it.
        if (SendsWithoutBlocking && _pending + count > _batch.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "sends that do not block take at most one batch at a time");
        }
        long index = first;
        long end = first + count;
        while (index < end)
        {
            if (_pending == 0)
            {
                _oldestAt = Stopwatch.GetTimestamp();
            }
            var typed = Window.Contiguous(index, Math.Min((int)(end - index), _batch.Length - _pending)).Span;
            typed.CopyTo(_batch.AsSpan(_pending));
            CopyTally.ThisClient.WithinUser(typed.Length);
            _pending += typed.Length;
            index += typed.Length;
            if (_pending == _batch.Length)
            {
                Flush();
            }
        }
    }

    /// <summary>Echoes go into a plain buffer from the shared pool, taken only while there are echoes to read.</summary>
    protected override Memory<byte> TakeReceiveBuffer() => ArrayPool<byte>.Shared.Rent(_receiveSize).AsMemory(0, _receiveSize);

    protected override void ReturnReceiveBuffer(Memory<byte> buffer)
    {
        if (MemoryMarshal.TryGetArray<byte>(buffer, out var array))
        {
            ArrayPool<byte>.Shared.Return(array.Array!);
        }
    }
}
