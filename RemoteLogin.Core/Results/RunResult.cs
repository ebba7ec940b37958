using RemoteLogin.Measurement;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Results;

/// <summary>Echoes that did not come back as typed. Any nonzero count fails the run.</summary>
public sealed record IntegrityCounts(long Lost, long Duplicated, long Corrupted)
{
    public bool IsIntact => Lost == 0 && Duplicated == 0 && Corrupted == 0;
}

/// <summary>One element of results.json "runs" (DESIGN.md, "Results format"). Counters are deltas over the measured part.</summary>
public sealed record RunResult
{
    public required Scenario Scenario { get; init; }
    public required BufferStrategy Strategy { get; init; }
    public required SubdaemonModel Subdaemon { get; init; }
    public required WireProtocol Protocol { get; init; }
    public required int Sessions { get; init; }
    public required long Chars { get; init; }
    public required double ElapsedSeconds { get; init; }
    public required double CharsPerSecond { get; init; }
    public required LatencySummary RttMicros { get; init; }
    /// <summary>Per session, from connect to its first echo: what a login costs to start under the subdaemon model.</summary>
    public LatencySummary? SetupMicros { get; init; }
    /// <summary>
    /// Open-loop scenarios: how late the load generator handed each measured character over, actual − intended, in µs.
    /// When its p99 exceeds the round trip's p50, the generator, not the daemon, is what was measured.
    /// </summary>
    public LatencySummary? SendLatenessMicros { get; init; }
    public required IntegrityCounts Integrity { get; init; }
    public required ProcessCounters Client { get; init; }
    /// <summary>
    /// Bytes the client's own edge readings allocate (two readings back to back, nothing between them): what its
    /// allocated-bytes figure cannot tell from zero.
    /// </summary>
    public long? ClientAllocationNoiseBytes { get; init; }
    /// <summary>
    /// The daemon and its subdaemons, read over EventPipe by the bench, net of the metering itself (see <see cref="ServerMetering"/>);
    /// absent when the client ran alone.
    /// </summary>
    public ProcessCounters? Server { get; init; }
    /// <summary>The subdaemon children's part of <see cref="Server"/>, for the models that start them.</summary>
    public ProcessCounters? ServerSubdaemons { get; init; }
    public required SystemCounters System { get; init; }
    /// <summary>What publishing counters cost the daemon over the measured part, already taken out of <see cref="Server"/>.</summary>
    public MeteringCost? ServerMetering { get; init; }
    /// <summary>
    /// Every counter read from the daemon over the measured part, as deltas: its own meter (bytes, calls, copies,
    /// sessions), System.Runtime's and the sockets' EventCounters, metering included.
    /// </summary>
    public Dictionary<string, double>? ServerMeter { get; init; }
    /// <summary>The same counters second by second, levels (thread counts, heap sizes) included.</summary>
    public CounterTimeSeries? ServerTimeSeries { get; init; }
    /// <summary>p50 of the floor measured beside this run, in µs.</summary>
    public double? FloorP50Micros { get; init; }
    /// <summary>This run's p50 over the floor measured beside it (the bench's median over rounds).</summary>
    public double? P50OverFloor { get; init; }
    public double[]? P50OverFloorRange { get; init; }
    /// <summary>Which round of the bench this run's other figures come from, and how many rounds there were.</summary>
    public int? Round { get; init; }
    public int? Rounds { get; init; }
    /// <summary>Everything else that shaped the run: batch size, window, rate, runtime switches.</summary>
    public Dictionary<string, string> Settings { get; init; } = [];
    /// <summary>Sessions whose connection broke during the run; any makes the run fail.</summary>
    public string[]? Failures { get; init; }
    /// <summary>Name of the HdrHistogram log of this run, beside results.json.</summary>
    public string? HistogramLog { get; init; }

    /// <summary>Every echo came back as typed and no session broke.</summary>
    public bool Succeeded => Integrity.IsIntact && (Failures is null || Failures.Length == 0);
}

/// <summary>The observer's share: <paramref name="PerInterval"/> measured with the daemon idle, times the <paramref name="Intervals"/> a run spanned.</summary>
public sealed record MeteringCost(int Intervals, ProcessCounters PerInterval, ProcessCounters Cost);

/// <summary>
/// The daemon's counters over a run's measured part, one value per refresh interval (one second, as dotnet-counters):
/// in <see cref="Increments"/> what each counter added in the interval, in <see cref="Levels"/> each up-down counter
/// or gauge at its end. Keys are "instrument[tags]", as in <see cref="RunResult.ServerMeter"/>.
/// </summary>
public sealed record CounterTimeSeries(DateTime[] IntervalEnds, Dictionary<string, double[]> Increments, Dictionary<string, double[]> Levels);
