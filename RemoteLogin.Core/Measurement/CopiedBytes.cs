namespace RemoteLogin.Measurement;

/// <summary>
/// Bytes that passed through user-space memory on their way, by how: a receive or peek copies them in from the kernel,
/// a send or a write into a kernel pipe copies them out again, and a copy between two buffers of the process stays
/// within user space. splice(2) does none of these: the bytes it moves never count.
/// </summary>
public readonly record struct CopiedBytes(long IntoUser, long OutOfUser, long WithinUser) : ICounterSet<CopiedBytes>
{
    /// <summary>Every copy that touched user-space memory.</summary>
    public long Total => IntoUser + OutOfUser + WithinUser;

    static CopiedBytes ICounterSet<CopiedBytes>.Combine<TOp>(CopiedBytes a, CopiedBytes b, ref TOp op) => new(
        op.Count(a.IntoUser, b.IntoUser),
        op.Count(a.OutOfUser, b.OutOfUser),
        op.Count(a.WithinUser, b.WithinUser));

    public static CopiedBytes operator +(CopiedBytes a, CopiedBytes b) => CounterSet.Add(a, b);

    public static CopiedBytes operator -(CopiedBytes end, CopiedBytes start) => CounterSet.Subtract(end, start);
}

/// <summary>Where the strategies count the bytes they copy (<see cref="CopiedBytes"/>); safe from any thread.</summary>
public sealed class CopyTally
{
    private long _into;
    private long _outOf;
    private long _within;

    /// <summary>The client's copies: one load generator per process, whatever its sessions.</summary>
    public static CopyTally ThisClient { get; } = new();

    public CopiedBytes Counts => new(Volatile.Read(ref _into), Volatile.Read(ref _outOf), Volatile.Read(ref _within));

    /// <summary>A receive or a peek copied <paramref name="bytes"/> from the kernel into this process.</summary>
    public void IntoUser(int bytes) => Interlocked.Add(ref _into, bytes);

    /// <summary>A send, or a write into a kernel pipe, copied <paramref name="bytes"/> out of this process.</summary>
    public void OutOfUser(int bytes) => Interlocked.Add(ref _outOf, bytes);

    /// <summary>This process copied <paramref name="bytes"/> from one of its buffers into another.</summary>
    public void WithinUser(int bytes) => Interlocked.Add(ref _within, bytes);
}
