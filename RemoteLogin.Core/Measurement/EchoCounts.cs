namespace RemoteLogin.Measurement;

/// <summary>
/// What the daemon's echo strategies have done: bytes in and out, the system calls that moved them, and the copies
/// they took. Counted in the daemon (RemoteLogin.Server's EchoTally); here so that the bench can read them from a
/// <see cref="DaemonSnapshot"/>.
/// </summary>
public readonly record struct EchoCounts(long BytesReceived, long BytesEchoed, long ReceiveCalls, long SendCalls, CopiedBytes Copied)
{
    public static EchoCounts operator +(EchoCounts a, EchoCounts b) => new(
        a.BytesReceived + b.BytesReceived, a.BytesEchoed + b.BytesEchoed, a.ReceiveCalls + b.ReceiveCalls, a.SendCalls + b.SendCalls,
        a.Copied + b.Copied);

    public static EchoCounts operator -(EchoCounts end, EchoCounts start) => new(
        end.BytesReceived - start.BytesReceived, end.BytesEchoed - start.BytesEchoed, end.ReceiveCalls - start.ReceiveCalls,
        end.SendCalls - start.SendCalls, end.Copied - start.Copied);

    /// <summary>Only the copies: what a relay child did to bytes whose traffic the daemon already counted.</summary>
    /// <remarks>A method, not a property: a record prints its properties, and this one is an <see cref="EchoCounts"/> again, without end.</remarks>
    public EchoCounts CopiesOnly() => new(0, 0, 0, 0, Copied);
}
