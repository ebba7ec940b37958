using RemoteLogin.Sockets;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// Pinned receive buffers shared by every session of a process: a session takes one only while echoes are there to
/// be read, so ten thousand idle sessions hold none, and the socket reads into memory the GC never moves.
/// A lock and a stack: taking and giving back allocate nothing once the pool has grown to the receives in flight.
/// </summary>
internal sealed class PinnedBuffers(int size)
{
    private readonly Stack<byte[]> _free = new();

    private static readonly PinnedBuffers s_small = new(4 * 1024);
    private static readonly PinnedBuffers s_large = new(SocketReceiver.StreamReceiveSize);

    /// <summary>
    /// Buffers for a session whose window holds <paramref name="window"/> characters: a receive never returns more
    /// echoes than are outstanding, so a typist's (default window 4 KB) take a page, and a paste's take 64 KB reads.
    /// </summary>
    public static PinnedBuffers ForWindow(int window) => window <= s_small.Size ? s_small : s_large;

    public int Size => size;

    public byte[] Take()
    {
        lock (_free)
        {
            if (_free.TryPop(out var buffer))
            {
                return buffer;
            }
        }
        return GC.AllocateUninitializedArray<byte>(size, pinned: true);
    }

    public void Return(byte[] buffer)
    {
        lock (_free)
        {
            _free.Push(buffer);
        }
    }
}
