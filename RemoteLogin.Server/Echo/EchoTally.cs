using RemoteLogin.Measurement;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// Where the echo strategies count. One per process, shared by its sessions; the daemon's meter reads it, and a
/// subdaemon child reports its own to the daemon. Moving bytes and copying them are counted apart: splice(2)
/// moves bytes without a copy, and a peek copies them without moving them.
/// </summary>
public sealed class EchoTally
{
    private long _received;
    private long _echoed;
    private long _receiveCalls;
    private long _sendCalls;

    public CopyTally Copies { get; } = new();

    public EchoCounts Counts => new(
        Volatile.Read(ref _received), Volatile.Read(ref _echoed), Volatile.Read(ref _receiveCalls), Volatile.Read(ref _sendCalls), Copies.Counts);

    /// <summary>One receive system call that brought <paramref name="bytes"/> in, into this process's memory.</summary>
    public void Received(int bytes)
    {
        SplicedIn(bytes);
        Copies.IntoUser(bytes);
    }

    /// <summary>One send system call that put <paramref name="bytes"/> back on the wire, out of this process's memory.</summary>
    public void Echoed(int bytes)
    {
        SplicedOut(bytes);
        Copies.OutOfUser(bytes);
    }

    /// <summary>One splice(2) that brought <paramref name="bytes"/> in from the socket; they stayed in the kernel.</summary>
    public void SplicedIn(int bytes)
    {
        Interlocked.Add(ref _received, bytes);
        Interlocked.Increment(ref _receiveCalls);
    }

    /// <summary>One splice(2) that put <paramref name="bytes"/> back on the wire straight from the kernel.</summary>
    public void SplicedOut(int bytes)
    {
        Interlocked.Add(ref _echoed, bytes);
        Interlocked.Increment(ref _sendCalls);
    }
}
