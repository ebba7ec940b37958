using RemoteLogin.Measurement;
using RemoteLogin.Native;
using RemoteLogin.Server.Echo;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>What a child says about itself, cumulatively: any report supersedes the ones before it.</summary>
/// <param name="Usage">getrusage(RUSAGE_SELF) of the whole child.</param>
/// <param name="Metering">getrusage(RUSAGE_THREAD) of the child's control thread: what answering the daemon's questions cost, kept out of the figures.</param>
internal readonly record struct ChildReport(
    ResourceUsage.Sample Usage,
    ResourceUsage.Sample Metering,
    long AllocatedBytes,
    long GcCollections,
    EchoCounts Echo) : ICounterSet<ChildReport>
{
    /// <summary>Bytes on the control socket: the daemon and its children are one build, so both sides agree on the list.</summary>
    public static int Size { get; } = CounterSet.BinarySize<ChildReport>();

    static ChildReport ICounterSet<ChildReport>.Combine<TOp>(ChildReport a, ChildReport b, ref TOp op) => new(
        CounterSet.Combine(a.Usage, b.Usage, ref op),
        CounterSet.Combine(a.Metering, b.Metering, ref op),
        op.Count(a.AllocatedBytes, b.AllocatedBytes),
        op.Count(a.GcCollections, b.GcCollections),
        CounterSet.Combine(a.Echo, b.Echo, ref op));

    public static ChildReport operator +(ChildReport a, ChildReport b) => CounterSet.Add(a, b);

    public static ChildReport Capture(ResourceUsage.Sample metering, EchoTally tally) => new(
        ResourceUsage.ReadSelf(), metering, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0),
        tally.Counts);

    public void Write(Span<byte> destination) => CounterSet.Write(this, destination);

    public static ChildReport Read(ReadOnlySpan<byte> source) => CounterSet.Read<ChildReport>(source);
}

/// <summary>The one-byte messages the daemon sends a child over its control socket.</summary>
internal enum ControlRequest : byte
{
    /// <summary>Carries the session's socket (SCM_RIGHTS); the child waits for <see cref="Go"/> before touching it.</summary>
    HandOver = (byte)'H',
    /// <summary>The daemon has closed its own copy of the socket: the child owns it now.</summary>
    Go = (byte)'G',
    /// <summary>Answer with a <see cref="ChildReport"/>.</summary>
    Report = (byte)'R',
    /// <summary>Stop reading the client, echo what was received, then end.</summary>
    Drain = (byte)'D',
}
