using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// One way of echoing a session's bytes, written once as step machines (<see cref="ISocketLane"/>) that a driver steps:
/// the blocking thread, the async loop, or any other that can receive, send and wait. What goes back for each receive is
/// the session protocol's answer (<see cref="FramedEcho"/>); the strategy decides only how bytes move.
/// </summary>
internal interface IEchoStrategy
{
    /// <summary>A fresh session's lanes, ready for their first step.</summary>
    EchoLanes Start(in EchoContext context);
}

/// <summary>What a session's lanes work with.</summary>
/// <param name="Framing">The session protocol's answer to each receive, counting its rewrites through the meter.</param>
/// <param name="Meter">Where the lanes count what they move and copy.</param>
/// <param name="Descriptor">The session's own socket, for a strategy that calls the kernel itself (splice, peek); null for
/// a session whose bytes arrive in someone else's frames, which then echoes without one.</param>
/// <param name="Wakeups">Where one lane's wake-up of the other runs: inline for lanes on threads of their own, the pool for async ones.</param>
/// <param name="Buffers">Where every buffer a lane receives into is rented, and goes back to.</param>
/// <param name="Events">Where a strategy that cannot have what it needs for a session says so, as it falls back.</param>
internal readonly record struct EchoContext(FramedEcho Framing, IEchoMeter Meter, Socket? Descriptor, PipeScheduler Wakeups, ArrayPool<byte> Buffers, IDaemonEvents Events);

/// <summary>A session's lanes: one that receives (and, for the strategies that alternate, sends too), and perhaps one that only sends, stepped apart.</summary>
internal readonly record struct EchoLanes(ISocketLane Receiving, ISocketLane? Sending = null);

internal static class EchoStrategies
{
    private static readonly IEchoStrategy s_naive = new NaiveEcho();
    private static readonly IEchoStrategy s_batched = new BatchedEcho();
    private static readonly IEchoStrategy s_pipelined = new PipelinedEcho();
    private static readonly IEchoStrategy s_zerocopy = new ZeroCopyEcho();

    public static IEchoStrategy For(BufferStrategy strategy) => strategy switch
    {
        BufferStrategy.Naive => s_naive,
        BufferStrategy.Batched => s_batched,
        BufferStrategy.Pipelined => s_pipelined,
        BufferStrategy.Zerocopy => s_zerocopy,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };
}
