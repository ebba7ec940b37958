namespace RemoteLogin.Server.Echo;

/// <summary>
/// What the echo strategies count: bytes in, bytes out, and the send calls that put them out. One per process,
/// shared by its sessions; the daemon's meter reads it, and a subdaemon child reports its own to the daemon.
/// </summary>
public sealed class EchoTally
{
    private long _received;
    private long _echoed;
    private long _sendCalls;

    public long BytesReceived => Volatile.Read(ref _received);

    public long BytesEchoed => Volatile.Read(ref _echoed);

    public long SendCalls => Volatile.Read(ref _sendCalls);

    public void Received(int bytes) => Interlocked.Add(ref _received, bytes);

    /// <summary>One send system call that put <paramref name="bytes"/> back on the wire.</summary>
    public void Echoed(int bytes)
    {
        Interlocked.Add(ref _echoed, bytes);
        Interlocked.Increment(ref _sendCalls);
    }
}
