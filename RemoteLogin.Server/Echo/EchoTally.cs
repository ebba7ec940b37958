namespace RemoteLogin.Server.Echo;

/// <summary>What the echo strategies have done: bytes in and out, and the system calls that moved them.</summary>
public readonly record struct EchoCounts(long BytesReceived, long BytesEchoed, long ReceiveCalls, long SendCalls)
{
    public static EchoCounts operator +(EchoCounts a, EchoCounts b) => new(
        a.BytesReceived + b.BytesReceived, a.BytesEchoed + b.BytesEchoed, a.ReceiveCalls + b.ReceiveCalls, a.SendCalls + b.SendCalls);
}

/// <summary>
/// Where the echo strategies count. One per process, shared by its sessions; the daemon's meter reads it, and a
/// subdaemon child reports its own to the daemon.
/// </summary>
public sealed class EchoTally
{
    private long _received;
    private long _echoed;
    private long _receiveCalls;
    private long _sendCalls;

    public EchoCounts Counts => new(
        Volatile.Read(ref _received), Volatile.Read(ref _echoed), Volatile.Read(ref _receiveCalls), Volatile.Read(ref _sendCalls));

    /// <summary>One receive system call that brought <paramref name="bytes"/> in.</summary>
    public void Received(int bytes)
    {
        Interlocked.Add(ref _received, bytes);
        Interlocked.Increment(ref _receiveCalls);
    }

    /// <summary>One send system call that put <paramref name="bytes"/> back on the wire.</summary>
    public void Echoed(int bytes)
    {
        Interlocked.Add(ref _echoed, bytes);
        Interlocked.Increment(ref _sendCalls);
    }
}
