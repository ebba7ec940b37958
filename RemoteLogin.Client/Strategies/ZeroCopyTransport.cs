using System.Runtime.InteropServices;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// Characters are typed straight into the window's pinned ring and sent from there, everything typed together
/// in one call; echoes land in a pooled pinned buffer and are compared in place. No copy in user space, no allocation.
/// </summary>
internal sealed class ZeroCopyTransport(Socket socket, EchoWindow window, TransportSettings settings)
    : BlockingTransport(socket, window, settings)
{
    private readonly PinnedBuffers _receives = PinnedBuffers.ForWindow(window.Capacity);

    protected override void Send(long first, int count)
    {
        long index = first;
        while (index < first + count)
        {
            var typed = Window.Contiguous(index, (int)(first + count - index));
            SendCopied(typed);
            index += typed.Length;
        }
    }

    protected override Memory<byte> TakeReceiveBuffer() => _receives.Take();

    protected override void ReturnReceiveBuffer(Memory<byte> buffer)
    {
        if (MemoryMarshal.TryGetArray<byte>(buffer, out var array))
        {
            _receives.Return(array.Array!);
        }
    }
}
