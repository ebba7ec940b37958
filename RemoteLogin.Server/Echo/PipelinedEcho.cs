using System.Buffers;
using System.IO.Pipelines;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The echo is a pipe: a receiving lane writes what the socket delivers into it, a sending lane drains it back into
/// the socket. The two are stepped apart (two threads, or two async loops), so a burst is received while the previous
/// one is still being sent, sends coalesce whatever arrived meanwhile, and no byte is copied between the two. The
/// protocol frames each block as the receiver commits it (<see cref="FramingPipeWriter"/>). A stream moves at the
/// wire's speed: receives as large as the stream floor's reads once the client streams
/// (<see cref="SocketReceiver.NextReceiveSize"/>), the receiver free to run a megabyte ahead of the sender, and the
/// sender putting everything that has arrived back with one gathered send. The receiver waits for data before the
/// pipe lends it a segment, so a silent session holds none.
/// </summary>
internal sealed class PipelinedEcho : IEchoStrategy
{
    public EchoLanes Start(in EchoContext context)
    {
        var echo = new Pipe(StreamPipe.Options(context.Wakeups, context.Buffers == ArrayPool<byte>.Shared ? null : new ArrayPoolMemory(context.Buffers)));
        var meter = context.Meter;
        return new(
            new SocketReceiver(new FramingPipeWriter(echo.Writer, context.Framing), meter.Received, waitForData: true),
            new SocketSender(echo.Reader, meter.Echoed));
    }

    /// <summary>A pipe's segments from a given array pool; the shared one the pipe rents from by itself, with no owner per segment.</summary>
    private sealed class ArrayPoolMemory(ArrayPool<byte> buffers) : MemoryPool<byte>
    {
        public override int MaxBufferSize => Array.MaxLength;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Owner(buffers, buffers.Rent(minBufferSize < 0 ? SocketReceiver.MinimumReceiveSize : minBufferSize));

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Owner(ArrayPool<byte> buffers, byte[] array) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory => array;

            public void Dispose() => buffers.Return(array);
        }
    }
}
