using RemoteLogin.Measurement;
using RemoteLogin.Native;

namespace RemoteLogin.Server.Telemetry;

/// <summary>
/// The account of a thread whose whole job is metering (the snapshot responder): what it has cost the daemon since
/// it was made, getrusage(RUSAGE_THREAD) and the managed bytes it allocated, to be left out of the daemon's figures
/// as a child leaves out its control thread. Made and read on that thread only.
/// </summary>
internal sealed class MeteringThread
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private readonly ResourceUsage.Sample _startUsage = ResourceUsage.ReadThisThread();
    private readonly long _startAllocated = GC.GetAllocatedBytesForCurrentThread();
    private ResourceUsage.Sample _queried;

    /// <summary>
    /// Of this thread's usage, <paramref name="usage"/> went on asking the subdaemon children: the daemon leaves that
    /// out already (<c>SubdaemonChildren.QueryCost</c>), so this account does not count it again.
    /// </summary>
    public void Queried(ResourceUsage.Sample usage)
    {
        OnOwnThread();
        _queried += usage;
    }

    /// <summary>Everything this thread has cost so far, what it spent asking the children excepted; no allocation before the readings.</summary>
    public ProcessCounters CostSoFar()
    {
        OnOwnThread();
        var usage = ResourceUsage.ReadThisThread();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        // The garbage collections it caused cannot be told from the others', and stay in.
        return ProcessCounters.From(usage - _startUsage - _queried, allocated - _startAllocated, 0);
    }

    private void OnOwnThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("getrusage(RUSAGE_THREAD) reads the calling thread: a metering thread's account is read on that thread only");
        }
    }
}
