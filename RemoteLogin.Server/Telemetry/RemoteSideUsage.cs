using RemoteLogin.Measurement;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Subdaemons.Children;

namespace RemoteLogin.Server.Telemetry;

/// <summary>One reading of the remote side: the daemon itself, its subdaemon children (null without any), and the echo counts of both.</summary>
public sealed record RemoteSideReading(ProcessCounters Daemon, ProcessCounters? Subdaemons, EchoCounts Echo);

/// <summary>
/// Reads what the remote side has cost and echoed. The children are asked once per meter collection, not once per
/// instrument: a reading of them is reused for a few milliseconds, far less than any collection interval.
/// </summary>
public sealed class RemoteSideUsage(SubdaemonChildren? children)
{
    private const long ReuseMilliseconds = 20;

    private readonly Lock _gate = new();
    private ChildrenReading? _children;
    private long _childrenReadAt;

    public EchoTally Echo { get; } = new();

    public RemoteSideReading Read()
    {
        lock (_gate)
        {
            if (children is not null && (_children is null || Environment.TickCount64 - _childrenReadAt >= ReuseMilliseconds))
            {
                _children = children.Read();
                _childrenReadAt = Environment.TickCount64;
            }
            var fromChildren = _children;
            // What asking the children cost this daemon's threads is metering, not the daemon's work.
            var daemon = ProcessCounters.CaptureSelf() - ProcessCounters.From(children?.QueryCost ?? default, 0, 0);
            return new RemoteSideReading(
                daemon,
                fromChildren?.Usage,
                Echo.Counts + (fromChildren?.Echo ?? default));
        }
    }
}
