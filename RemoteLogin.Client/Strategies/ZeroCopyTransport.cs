using System.Collections.Concurrent;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// Characters are typed straight into the window's pinned ring and sent from there, everything typed together
/// in one call; echoes land in a pooled pinned buffer and are compared in place. No copy in user space, no allocation.
/// </summary>
public sealed class ZeroCopyTransport : BlockingTransport
{
    private const int ReceiveBufferSize = 64 * 1024;
    private static readonly ConcurrentQueue<byte[]> s_pinnedBuffers = new();
    private readonly byte[] _receiveBuffer;

    public ZeroCopyTransport(Socket socket, EchoWindow window, TransportSettings settings)
        : this(socket, window, settings, RentPinned())
    {
    }

    private ZeroCopyTransport(Socket socket, EchoWindow window, TransportSettings settings, byte[] receiveBuffer)
        : base(socket, window, settings, receiveBuffer)
    {
        _receiveBuffer = receiveBuffer;
    }

    public override void Dispose()
    {
        base.Dispose();
        s_pinnedBuffers.Enqueue(_receiveBuffer);
    }

    protected override void Send(long first, int count)
    {
        long index = first;
        while (index < first + count)
        {
            var typed = Window.Contiguous(index, (int)(first + count - index));
            SendCopied(typed.Span);
            index += typed.Length;
        }
    }

    private static byte[] RentPinned() =>
        s_pinnedBuffers.TryDequeue(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
}
