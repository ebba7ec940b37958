using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Counters;

/// <summary>
/// The value of every time series one collection interval published, keyed "meter\instrument[tags]": the total so
/// far for a counter, the current level for an up-down counter or gauge (<see cref="Levels"/>). Subtracting two
/// snapshots gives exact deltas, however far apart they are.
/// </summary>
/// <param name="ReadFrom">The earliest moment any of the values was read: EventCounters publish on their own timer.</param>
internal sealed class MeterSnapshot(DateTime intervalEnd, DateTime readFrom, IReadOnlyDictionary<string, double> values, IReadOnlySet<string> levels)
{
    public const string ServerMeter = "RemoteLogin.Server";
    public const string RuntimeMeter = "System.Runtime";
    public const string SocketsEventCounters = "System.Net.Sockets";

    /// <summary>The whole picture the bench keeps: the daemon's meter and the runtime's, whole.</summary>
    public static IReadOnlyList<string> Meters { get; } = [ServerMeter, RuntimeMeter];

    /// <summary>What the runtime counts only as EventCounters: the sockets' bytes sent and received.</summary>
    public static IReadOnlyList<string> EventCounterSources { get; } = [SocketsEventCounters];

    public DateTime IntervalEnd { get; } = intervalEnd;

    public DateTime ReadFrom { get; } = readFrom;

    public IReadOnlyDictionary<string, double> Values { get; } = values;

    public IReadOnlySet<string> Levels { get; } = levels;

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
            (long)Delta("remotelogin.server.gc.collections"),
            // The copies are the echo's, counted where it runs, not split by process.
            process is not null ? null : new CopiedBytes(
                (long)Delta("remotelogin.server.echo.bytes_copied", "remotelogin.copy=into_user"),
                (long)Delta("remotelogin.server.echo.bytes_copied", "remotelogin.copy=out_of_user"),
                (long)Delta("remotelogin.server.echo.bytes_copied", "remotelogin.copy=within_user")));
    }

    /// <summary>
    /// Deltas of every counter read (bytes, sends, copies, sessions, runtime, sockets), named "instrument[tags]" as
    /// published; raw, metering included. Levels (threads, heap sizes) have no delta: the time series has them.
    /// </summary>
    public static Dictionary<string, double> ServerMeterDeltas(MeterSnapshot start, MeterSnapshot end) =>
        end.Values.Where(kv => !end.Levels.Contains(kv.Key))
            .ToDictionary(kv => Unqualified(kv.Key), kv => kv.Value - start.Values.GetValueOrDefault(kv.Key));

    /// <summary>
    /// One value per interval from <paramref name="snapshots"/>[1] on: what each counter added in that interval, and
    /// each level at its end.
    /// </summary>
    public static CounterTimeSeries TimeSeries(IReadOnlyList<MeterSnapshot> snapshots)
    {
        var intervals = snapshots.Skip(1).ToArray();
        var keys = intervals.SelectMany(s => s.Values.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        var increments = new Dictionary<string, double[]>();
        var levels = new Dictionary<string, double[]>();
        foreach (var key in keys)
        {
            bool isLevel = intervals.Any(s => s.Levels.Contains(key));
            var series = new double[intervals.Length];
            for (int i = 0; i < intervals.Length; i++)
            {
                double value = intervals[i].Values.GetValueOrDefault(key);
                series[i] = isLevel ? value : value - snapshots[i].Values.GetValueOrDefault(key);
            }
            (isLevel ? levels : increments)[Unqualified(key)] = series;
        }
        return new CounterTimeSeries([.. intervals.Select(s => s.IntervalEnd)], increments, levels);
    }

    /// <summary>
    /// A meter's key without the meter: its instrument names are unique already (remotelogin.server.*, dotnet.*).
    /// An EventCounter keeps its source's name ("System.Net.Sockets\\bytes-received").
    /// </summary>
    private static string Unqualified(string key) =>
        Meters.Any(meter => key.StartsWith(meter + "\\", StringComparison.Ordinal)) ? key[(key.IndexOf('\\') + 1)..] : key;
}
