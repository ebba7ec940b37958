using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Counters;

/// <summary>
/// The cumulative value of every counter time series one collection interval published, keyed
/// "meter\instrument[tags]". Subtracting two snapshots gives exact deltas, however far apart they are.
/// </summary>
public sealed class MeterSnapshot(DateTime intervalEnd, IReadOnlyDictionary<string, double> values)
{
    public const string ServerMeter = "RemoteLogin.Server";
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// What the bench reads, and nothing more, to keep the metering light: the daemon's meter, and System.Runtime's
    /// collections and total allocated (the latter rounded to allocation contexts, so kept only as a cross-check beside the exact figure).
    /// </summary>
    public static string[] Subscriptions { get; } = [ServerMeter, RuntimeMeter + "\\dotnet.gc.heap.total_allocated", RuntimeMeter + "\\dotnet.gc.collections"];

    public DateTime IntervalEnd { get; } = intervalEnd;

    public IReadOnlyDictionary<string, double> Values { get; } = values;

    public static string Key(string meter, string instrument, string tags) =>
        tags.Length == 0 ? $"{meter}\\{instrument}" : $"{meter}\\{instrument}[{tags}]";

    public double Get(string meter, string instrument, string tags = "") =>
        Values.TryGetValue(Key(meter, instrument, tags), out var value) ? value : 0;

    /// <summary>The sum over every tag combination of one instrument.</summary>
    public double Sum(string meter, string instrument)
    {
        string bare = Key(meter, instrument, "");
        return Values.Where(kv => kv.Key == bare || kv.Key.StartsWith(bare + "[", StringComparison.Ordinal)).Sum(kv => kv.Value);
    }

    /// <summary>
    /// The daemon's side of a run, in the shape of the client's: rusage and exact allocations from its own meter,
    /// collections from System.Runtime.
    /// </summary>
    public static ProcessCounters ServerCost(MeterSnapshot start, MeterSnapshot end)
    {
        double Delta(Func<MeterSnapshot, double> read) => read(end) - read(start);
        return new ProcessCounters(
            (long)Delta(s => s.Get(ServerMeter, "remotelogin.server.process.context_switches", "process.context_switch_type=voluntary")),
            (long)Delta(s => s.Get(ServerMeter, "remotelogin.server.process.context_switches", "process.context_switch_type=involuntary")),
            (long)Math.Round(Delta(s => s.Get(ServerMeter, "remotelogin.server.process.cpu.time", "cpu.mode=user")) * 1e6),
            (long)Math.Round(Delta(s => s.Get(ServerMeter, "remotelogin.server.process.cpu.time", "cpu.mode=system")) * 1e6),
            (long)Delta(s => s.Get(ServerMeter, "remotelogin.server.gc.heap.allocated")),
            (long)Delta(s => s.Sum(RuntimeMeter, "dotnet.gc.collections")));
    }

    /// <summary>
    /// What publishing the counters costs the daemon while the run's characters flow: the idle cost of one interval
    /// times the intervals the measured part spanned. The idle cost is read twice, one interval before the measured
    /// part and one after, and the smaller of each counter is taken: right after warm-up the runtime may still be
    /// compiling in the background, and that is not the metering's cost.
    /// </summary>
    public static MeteringCost Metering(MeterSnapshot idleBefore, MeterSnapshot start, MeterSnapshot end, MeterSnapshot idleAfter)
    {
        var interval = start.IntervalEnd - idleBefore.IntervalEnd;
        int intervals = (int)Math.Round((end.IntervalEnd - start.IntervalEnd) / interval);
        var idle = ProcessCounters.Min(ServerCost(idleBefore, start), ServerCost(end, idleAfter));
        return new MeteringCost(intervals, idle, idle * intervals);
    }

    /// <summary>Deltas of every time series read (bytes, sends, sessions, runtime), named "instrument[tags]" as published; raw, metering included.</summary>
    public static Dictionary<string, double> ServerMeterDeltas(MeterSnapshot start, MeterSnapshot end) =>
        end.Values.ToDictionary(kv => kv.Key[(kv.Key.IndexOf('\\') + 1)..], kv => kv.Value - start.Values.GetValueOrDefault(kv.Key));
}
