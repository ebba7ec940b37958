namespace RemoteLogin.Client.Strategies;

/// <summary>
/// Pinned receive buffers shared by every session of a process: a session takes one only while echoes are there to
/// be read, so ten thousand idle sessions hold none, and the socket reads into memory the GC never moves.
/// A lock and a stack: taking and giving back allocate nothing once the pool has grown to the receives in flight.
/// </summary>
public sealed class PinnedBuffers(int size)
{
    private readonly Stack<byte[]> _free = new();

    public static PinnedBuffers Receives { get; } = new(64 * 1024);

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
