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
    /// collections and total allocated of the daemon process alone (the latter rounded to allocation contexts), kept as a cross-check.
    /// </summary>
    public static string[] Subscriptions { get; } = [ServerMeter, RuntimeMeter + "\\dotnet.gc.heap.total_allocated", RuntimeMeter + "\\dotnet.gc.collections"];

    public DateTime IntervalEnd { get; } = intervalEnd;

    public IReadOnlyDictionary<string, double> Values { get; } = values;

    public static string Key(string meter, string instrument, string tags) =>
        tags.Length == 0 ? $"{meter}\\{instrument}" : $"{meter}\\{instrument}[{tags}]";

    public double Get(string meter, string instrument, string tags = "") =>
        Values.TryGetValue(Key(meter, instrument, tags), out var value) ? value : 0;

    /// <summary>The sum of every time series of one instrument whose tags include all of <paramref name="tags"/> ("name=value").</summary>
    public double SumTagged(string meter, string instrument, params string[] tags)
    {
        string bare = Key(meter, instrument, "");
        return Values
            .Where(kv => kv.Key == bare || kv.Key.StartsWith(bare + "[", StringComparison.Ordinal))
            .Where(kv => tags.All(kv.Key[bare.Length..].Trim('[', ']').Split(',').Contains))
            .Sum(kv => kv.Value);
    }

    /// <summary>
    /// The remote side of a run, in the shape of the client's: rusage, exact allocations and collections from the daemon's
    /// own meter, which covers its subdaemon children too; <paramref name="process"/> ("daemon" or "subdaemons") picks one part.
    /// </summary>
    public static ProcessCounters ServerCost(MeterSnapshot start, MeterSnapshot end, string? process = null)
    {
        string[] part = process is null ? [] : [$"remotelogin.process={process}"];
        double Delta(string instrument, params string[] tags) =>
            end.SumTagged(ServerMeter, instrument, [.. tags, .. part]) - start.SumTagged(ServerMeter, instrument, [.. tags, .. part]);
        return new ProcessCounters(
            (long)Delta("remotelogin.server.process.context_switches", "process.context_switch_type=voluntary"),
            (long)Delta("remotelogin.server.process.context_switches", "process.context_switch_type=involuntary"),
            (long)Math.Round(Delta("remotelogin.server.process.cpu.time", "cpu.mode=user") * 1e6),
            (long)Math.Round(Delta("remotelogin.server.process.cpu.time", "cpu.mode=system") * 1e6),
            (long)Delta("remotelogin.server.gc.heap.allocated"),
            (long)Delta("remotelogin.server.gc.collections"));
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
        // The daemon's part only: the children leave their metering out at the source, and what they do while idle
        // (their own runtime's background compilation, say) is theirs, not the metering's.
        var idle = ProcessCounters.Min(ServerCost(idleBefore, start, "daemon"), ServerCost(end, idleAfter, "daemon"));
        return new MeteringCost(intervals, idle, idle * intervals);
    }

    /// <summary>Deltas of every time series read (bytes, sends, sessions, runtime), named "instrument[tags]" as published; raw, metering included.</summary>
    public static Dictionary<string, double> ServerMeterDeltas(MeterSnapshot start, MeterSnapshot end) =>
        end.Values.ToDictionary(kv => kv.Key[(kv.Key.IndexOf('\\') + 1)..], kv => kv.Value - start.Values.GetValueOrDefault(kv.Key));
}
