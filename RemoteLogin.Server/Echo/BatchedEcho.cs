using System.Buffers;
using System.Runtime.InteropServices;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// Whatever one receive returned goes back with one send, through a pooled buffer rented once data is there and
/// returned once its echo is out: a silent session holds none (one that streams rents at once: its data is there). The buffer is small until a receive fills one; from then
/// on it is as large as the stream floor's read, so a paste goes back in 64 KB blocks and a thousand typists do not
/// each rent 64 KB.
/// </summary>
internal sealed class BatchedEcho : IEchoStrategy
{
    private const int TypingBufferSize = 16 * 1024;
    private const int StreamBufferSize = SocketReceiver.StreamReceiveSize;

    public EchoLanes Start(in EchoContext context) => new(new Lane(context.Framing, context.Meter, context.Buffers));

    /// <summary>The lane, also zerocopy's where it has no descriptor to splice: it echoes from the very memory it received into.</summary>
    internal sealed class Lane(FramedEcho framing, IEchoMeter meter, ArrayPool<byte> buffers) : EchoEachReceive(framing, meter)
    {
        private int _size = TypingBufferSize;
        private bool _streaming;

        // A client that filled the last buffer is streaming and has more to come: waiting for it would cost a peek a block.
        protected override bool WaitsForData => !_streaming;

        protected override Memory<byte> Take() => buffers.Rent(_size);

        protected override void Release(Memory<byte> buffer, int received)
        {
            _streaming = received == buffer.Length;
            if (_streaming)
            {
                _size = StreamBufferSize; // the next buffer is the stream's, from now on
            }
            buffers.Return(MemoryMarshal.TryGetArray<byte>(buffer, out var array) ? array.Array! : throw new InvalidOperationException("not a pooled array"));
        }
    }
}
