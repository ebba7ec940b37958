using RemoteLogin.Measurement;
using RemoteLogin.Native;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Subdaemons.Children;

namespace RemoteLogin.Server.Telemetry;

/// <summary>
/// Reads what the remote side has cost and echoed. The children are asked once per meter collection, not once per
/// instrument: a reading of them is reused for a few milliseconds, far less than any collection interval. Metering
/// is left out of the daemon's figures: what asking the children cost, and what a <see cref="MeteringThread"/>
/// (the snapshot responder) has cost as of its latest reading.
/// </summary>
internal sealed class RemoteSideUsage(SubdaemonChildren? children)
{
    private const long ReuseMilliseconds = 20;

    private readonly Lock _gate = new();
    private ChildrenReading? _children;
    private long _childrenReadAt;
    private ProcessCounters _meteringThreads = ProcessCounters.From(default, 0, 0);

    public EchoTally Echo { get; } = new();

    /// <summary>A reading for the meter: the children's may be a few milliseconds old.</summary>
    public DaemonSnapshot Read()
    {
        lock (_gate)
        {
            if (children is not null && (_children is null || Environment.TickCount64 - _childrenReadAt >= ReuseMilliseconds))
            {
                _children = children.Read();
                _childrenReadAt = Environment.TickCount64;
            }
            var daemon = ProcessCounters.CaptureSelf() - LeftOut();
            return Reading(daemon);
        }
    }

    /// <summary>
    /// A reading now, on <paramref name="thread"/>'s own thread: the children asked afresh, and everything that thread
    /// has cost up to this moment left out of the daemon's figures (and out of the meter's readings from now on).
    /// The reading is taken before anything is made of it, so what the caller then does with it is its own cost, left
    /// out of the next reading.
    /// </summary>
    public DaemonSnapshot ReadOn(MeteringThread thread)
    {
        lock (_gate)
        {
            if (children is not null)
            {
                // Every query of the children goes through this lock, so what QueryCost gains here is this thread's:
                // counted once, as querying, and not again as the thread's own.
                var before = children.QueryCost;
                _children = children.Read();
                _childrenReadAt = Environment.TickCount64;
                thread.Queried(children.QueryCost - before);
            }
            // Raw numbers first, the process's then the thread's, with no allocation between them or before.
            var self = ResourceUsage.ReadSelf();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            int collections = GC.CollectionCount(0);
            var threadCost = thread.CostSoFar();
            _meteringThreads = threadCost;
            var daemon = ProcessCounters.From(self, allocated, collections) - LeftOut();
            return Reading(daemon);
        }
    }

    private ProcessCounters LeftOut() =>
        ProcessCounters.From(children?.QueryCost ?? default, 0, 0) + _meteringThreads;

    private DaemonSnapshot Reading(ProcessCounters daemon)
    {
        var fromChildren = _children;
        return new DaemonSnapshot(daemon, fromChildren?.Usage, Echo.Counts + (fromChildren?.Echo ?? default), Environment.ProcessId);
    }
}
