using RemoteLogin.Results;

namespace RemoteLogin.Bench.Counters;

/// <summary>What the counted pass reads of the daemon between its two edges: perf's system calls and the meter.</summary>
internal sealed record CountedFigures(long? Syscalls, Dictionary<string, double> Meter, CounterTimeSeries TimeSeries);

/// <summary>
/// The counted pass's readers of one daemon, on the daemon's own host: told at each edge, read once at the end.
/// <see cref="DaemonCounting"/> reads them here; on a lab host the bench's companion there holds one and relays.
/// </summary>
internal interface IDaemonCounting : IDisposable
{
    /// <summary>The measured part begins: nothing is in flight.</summary>
    void AtWarmedUp();

    /// <summary>The measured part has ended: nothing is in flight.</summary>
    void AtMeasured();

    /// <summary>The counts between the two edges.</summary>
    CountedFigures Finish();
}

/// <summary>
/// perf attached to the daemon before the client starts (so every thread and child it starts is counted) and the
/// daemon's metrics session, in dotnet-counters' shared session and interval so a user can watch the same daemon
/// while the bench runs.
/// </summary>
internal sealed class DaemonCounting : IDaemonCounting
{
    private static readonly TimeSpan CounterTimeout = TimeSpan.FromSeconds(15);

    private readonly DaemonCounters _counters;
    private readonly PerfSyscalls? _syscalls;
    // Nothing is in flight at either edge, so the first snapshot read after it holds exact totals.
    private MeterSnapshot? _before, _after;

    private DaemonCounting(DaemonCounters counters, PerfSyscalls? syscalls)
    {
        _counters = counters;
        _syscalls = syscalls;
    }

    public static DaemonCounting Start(int daemonProcessId, bool countSyscalls)
    {
        var counters = new DaemonCounters(
            daemonProcessId, DaemonCounters.DotnetCountersRefreshInterval, MeterSnapshot.Meters, MeterSnapshot.EventCounterSources);
        try
        {
            return new DaemonCounting(counters, countSyscalls ? PerfSyscalls.Attach(daemonProcessId) : null);
        }
        catch
        {
            counters.Dispose();
            throw;
        }
    }

    public void AtWarmedUp()
    {
        _before = _counters.NextAfter(DateTime.UtcNow, CounterTimeout);
        _syscalls?.Enable();
    }

    public void AtMeasured()
    {
        _syscalls?.Disable();
        _after = _counters.NextAfter(DateTime.UtcNow, CounterTimeout);
    }

    public CountedFigures Finish()
    {
        if (_before is null || _after is null)
        {
            throw new InvalidOperationException("the counted pass ended before both of its edges");
        }
        return new CountedFigures(_syscalls?.Count(), MeterSnapshot.ServerMeterDeltas(_before, _after), MeterSnapshot.TimeSeries(_counters.Between(_before, _after)));
    }

    public void Dispose()
    {
        _syscalls?.Dispose();
        _counters.Dispose();
    }
}
