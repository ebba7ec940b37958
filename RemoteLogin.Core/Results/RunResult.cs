using System.Text.Json.Serialization;
using RemoteLogin.Measurement;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Results;

/// <summary>Echoes that did not come back as typed. Any nonzero count fails the run.</summary>
public sealed record IntegrityCounts(long Lost, long Duplicated, long Corrupted) : ICounterSet<IntegrityCounts>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIntact => Lost == 0 && Duplicated == 0 && Corrupted == 0;

    static IntegrityCounts ICounterSet<IntegrityCounts>.Combine<TOp>(IntegrityCounts a, IntegrityCounts b, ref TOp op) => new(
        op.Count(a.Lost, b.Lost),
        op.Count(a.Duplicated, b.Duplicated),
        op.Count(a.Corrupted, b.Corrupted));

    public static IntegrityCounts operator +(IntegrityCounts a, IntegrityCounts b) => CounterSet.Add(a, b);
}

/// <summary>One element of results.json "runs" (DESIGN.md, "Results format"). Counters are deltas over the measured part.</summary>
public sealed record RunResult
{
    public required Scenario Scenario { get; init; }
    /// <summary>The daemon's echo strategy; the client's too unless <see cref="ClientStrategy"/> says otherwise.</summary>
    public required BufferStrategy Strategy { get; init; }
    /// <summary>
    /// The strategy the load client typed with. The bench always writes it (a reader never has to guess); null only in
    /// results written before it existed, or by a client run by hand, where the client ran <see cref="Strategy"/>.
    /// </summary>
    public BufferStrategy? ClientStrategy { get; init; }
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
    /// µs the load client spent checking echoes over the measured part, by its own clock: a part of
    /// <see cref="ProcessCounters.CpuUserMicros"/> of <see cref="Client"/>. Null from a client that does not measure it.
    /// </summary>
    public double? ClientCheckMicros { get; init; }
    /// <summary>
    /// Bytes the client's own edge readings allocate (two readings back to back, nothing between them): what its
    /// allocated-bytes figure cannot tell from zero.
    /// </summary>
    public long? ClientAllocationNoiseBytes { get; init; }
    /// <summary>
    /// The daemon and its subdaemons over the timed pass, from the daemon's own readings at the two edges (an on-demand
    /// snapshot, nothing periodic); absent when the client ran alone.
    /// </summary>
    public ProcessCounters? Server { get; init; }
    /// <summary>The subdaemon children's part of <see cref="Server"/>, for the models that start them.</summary>
    public ProcessCounters? ServerSubdaemons { get; init; }
    /// <summary>The concentrator between the terminals and the daemon, over the timed pass; the concentrator scenario's alone.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConcentratorCost? Concentrator { get; init; }
    /// <summary>What the daemon's echo did over the timed pass (bytes, receive and send calls, copies), from the same edge readings.</summary>
    public EchoCounts? ServerEcho { get; init; }
    public required SystemCounters System { get; init; }
    /// <summary>The daemon's host's kernel in a two-host run; null in a one-host run, where "system" is the one kernel.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RemoteSystem? RemoteSystem { get; init; }
    /// <summary>Each load host's part, when the run was spread over several; the figures above are all of them merged.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<HostRun>? Hosts { get; init; }
    /// <summary>
    /// Every counter read from the daemon over the counted pass's measured part, as deltas: its own meter (bytes, calls,
    /// copies, sessions), System.Runtime's and the sockets' EventCounters, raw (what publishing them costs included).
    /// </summary>
    public Dictionary<string, double>? ServerMeter { get; init; }
    /// <summary>The same counters second by second, levels (thread counts, heap sizes) included.</summary>
    public CounterTimeSeries? ServerTimeSeries { get; init; }
    /// <summary>The counted pass: perf and the metrics session attached; system calls and the meter come from it.</summary>
    public CountedPass? CountedPass { get; init; }
    /// <summary>Any round lost, duplicated or corrupted a byte, or a session broke: shown as failed everywhere, and the bench exits 1.</summary>
    public bool Failed { get; init; }
    /// <summary>Median over rounds of each round's p50 over the lower blocking floor around it, and its range.</summary>
    public double? P50OverFloor { get; init; }
    public double[]? P50OverFloorRange { get; init; }
    /// <summary>Median over rounds of each round's p50 over the lower spin floor around it, and its range.</summary>
    public double? P50OverSpin { get; init; }
    public double[]? P50OverSpinRange { get; init; }
    /// <summary>A paste's chars/s over the stream floor around it: median over rounds, and its range.</summary>
    public double? CharsPerSecondOverStream { get; init; }
    public double[]? CharsPerSecondOverStreamRange { get; init; }
    /// <summary>Rounds whose floors before and after differed by more than 2×.</summary>
    public int? DisturbedRounds { get; init; }
    /// <summary>Every round of this configuration; the figures outside come from <see cref="Round"/>, the median one.</summary>
    public IReadOnlyList<RoundResult>? Rounds { get; init; }
    /// <summary>Which round this run's figures (latency, counters) come from: the one whose ratio is the median.</summary>
    public int? Round { get; init; }
    public AllocationPerChar? AllocatedBytesPerChar { get; init; }
    /// <summary>The most CPU other processes used during any round's timed pass, % of one core; over 10 and the run is flagged.</summary>
    public double? OtherCpuPercent { get; init; }
    /// <summary>The same on the daemon's host in a two-host run, read there by the bench's companion; over 10 and the run is flagged.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DaemonHostOtherCpuPercent { get; init; }
    /// <summary>Everything else that shaped the run: batch size, window, rate, runtime switches.</summary>
    public Dictionary<string, string> Settings { get; init; } = [];
    /// <summary>Sessions whose connection broke during the run; any makes the run fail.</summary>
    public string[]? Failures { get; init; }
    /// <summary>Name of the HdrHistogram log of this run, beside results.json.</summary>
    public string? HistogramLog { get; init; }

    /// <summary>The strategy the client ran: <see cref="ClientStrategy"/>, or the daemon's where the result does not say.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public BufferStrategy ClientStrategyOrSame => ClientStrategy ?? Strategy;

    /// <summary>Every echo came back as typed and no session broke, in this one pass (results.json says <see cref="Failed"/>, over every round).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Succeeded => Integrity.IsIntact && (Failures is null || Failures.Length == 0);
}

/// <summary>
/// The daemon's counters over a run's measured part, one value per refresh interval (one second, as dotnet-counters):
/// in <see cref="Increments"/> what each counter added in the interval, in <see cref="Levels"/> each up-down counter
/// or gauge at its end. Keys are "instrument[tags]", as in <see cref="RunResult.ServerMeter"/>.
/// </summary>
public sealed record CounterTimeSeries(DateTime[] IntervalEnds, Dictionary<string, double[]> Increments, Dictionary<string, double[]> Levels);
