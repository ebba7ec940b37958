namespace RemoteLogin.Measurement;

/// <summary>
/// What the daemon's echo strategies have done: bytes in and out, the system calls that moved them, and the copies
/// they took. Counted in the daemon (RemoteLogin.Server's EchoTally); here so that the bench can read them from a
/// <see cref="DaemonSnapshot"/>.
/// </summary>
public readonly record struct EchoCounts(long BytesReceived, long BytesEchoed, long ReceiveCalls, long SendCalls, CopiedBytes Copied)
    : ICounterSet<EchoCounts>
{
    static EchoCounts ICounterSet<EchoCounts>.Combine<TOp>(EchoCounts a, EchoCounts b, ref TOp op) => new(
        op.Count(a.BytesReceived, b.BytesReceived),
        op.Count(a.BytesEchoed, b.BytesEchoed),
        op.Count(a.ReceiveCalls, b.ReceiveCalls),
        op.Count(a.SendCalls, b.SendCalls),
        CounterSet.Combine(a.Copied, b.Copied, ref op));

    public static EchoCounts operator +(EchoCounts a, EchoCounts b) => CounterSet.Add(a, b);

    public static EchoCounts operator -(EchoCounts end, EchoCounts start) => CounterSet.Subtract(end, start);

    /// <summary>Only the copies: what a relay child did to bytes whose traffic the daemon already counted.</summary>
    /// <remarks>A method, not a property: a record prints its properties, and this one is an <see cref="EchoCounts"/> again, without end.</remarks>
    public EchoCounts CopiesOnly() => default(EchoCounts) with { Copied = Copied };
}
