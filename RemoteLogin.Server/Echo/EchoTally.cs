using RemoteLogin.Measurement;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The meter the echoes count through (<see cref="IEchoMeter"/>). One per process, shared by its sessions; the daemon's
/// meter reads it, and a subdaemon child reports its own to the daemon.
/// </summary>
internal sealed class EchoTally : IEchoMeter
{
    private long _received;
    private long _echoed;
    private long _receiveCalls;
    private long _sendCalls;

    /// <summary>The copies alone; counted through the meter's events, read here.</summary>
    public CopyTally Copies { get; } = new();

    public EchoCounts Counts => new(
        Volatile.Read(ref _received), Volatile.Read(ref _echoed), Volatile.Read(ref _receiveCalls), Volatile.Read(ref _sendCalls), Copies.Counts);

    public void Received(int bytes)
    {
        SplicedIn(bytes);
        Copies.IntoUser(bytes);
    }

    public void Echoed(int bytes)
    {
        SplicedOut(bytes);
        Copies.OutOfUser(bytes);
    }

    public void SplicedIn(int bytes)
    {
        Interlocked.Add(ref _received, bytes);
        Interlocked.Increment(ref _receiveCalls);
    }

    public void SplicedOut(int bytes)
    {
        Interlocked.Add(ref _echoed, bytes);
        Interlocked.Increment(ref _sendCalls);
    }

    public void Peeked(int bytes) => Copies.IntoUser(bytes);

    public void Piped(int bytes) => Copies.OutOfUser(bytes);

    public void Rewritten(int bytes) => Copies.WithinUser(bytes);

    public void Recopied(int bytes) => Copies.WithinUser(bytes);

    public void PassedOn(int bytes) => Copies.OutOfUser(bytes);

    public void PassedBack(int bytes) => Copies.IntoUser(bytes);
}
