using System.Buffers.Binary;
using RemoteLogin.Measurement;
using RemoteLogin.Native;
using RemoteLogin.Server.Echo;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>What a child says about itself, cumulatively: any report supersedes the ones before it.</summary>
/// <param name="Usage">getrusage(RUSAGE_SELF) of the whole child.</param>
/// <param name="Metering">getrusage(RUSAGE_THREAD) of the child's control thread: what answering the daemon's questions cost, kept out of the figures.</param>
public readonly record struct ChildReport(
    ResourceUsage.Sample Usage,
    ResourceUsage.Sample Metering,
    long AllocatedBytes,
    long GcCollections,
    EchoCounts Echo)
{
    public const int Size = 17 * sizeof(long);

    public static ChildReport operator +(ChildReport a, ChildReport b) => new(
        a.Usage + b.Usage, a.Metering + b.Metering, a.AllocatedBytes + b.AllocatedBytes, a.GcCollections + b.GcCollections,
        a.Echo + b.Echo);

    public static ChildReport Capture(ResourceUsage.Sample metering, EchoTally tally) => new(
        ResourceUsage.ReadSelf(), metering, GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0),
        tally.Counts);

    public void Write(Span<byte> destination)
    {
        ReadOnlySpan<long> fields =
        [
            Usage.UserMicros, Usage.SystemMicros, Usage.VoluntaryContextSwitches, Usage.InvoluntaryContextSwitches,
            Metering.UserMicros, Metering.SystemMicros, Metering.VoluntaryContextSwitches, Metering.InvoluntaryContextSwitches,
            AllocatedBytes, GcCollections, Echo.BytesReceived, Echo.BytesEchoed, Echo.ReceiveCalls, Echo.SendCalls,
            Echo.Copied.IntoUser, Echo.Copied.OutOfUser, Echo.Copied.WithinUser,
        ];
        for (int i = 0; i < fields.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination[(i * sizeof(long))..], fields[i]);
        }
    }

    public static ChildReport Read(ReadOnlySpan<byte> source)
    {
        Span<long> field = stackalloc long[Size / sizeof(long)];
        for (int i = 0; i < field.Length; i++)
        {
            field[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(i * sizeof(long))..]);
        }
        return new ChildReport(
            new ResourceUsage.Sample(field[0], field[1], field[2], field[3]),
            new ResourceUsage.Sample(field[4], field[5], field[6], field[7]),
            field[8], field[9], new EchoCounts(field[10], field[11], field[12], field[13], new CopiedBytes(field[14], field[15], field[16])));
    }
}

/// <summary>The one-byte messages the daemon sends a child over its control socket.</summary>
public enum ControlRequest : byte
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
