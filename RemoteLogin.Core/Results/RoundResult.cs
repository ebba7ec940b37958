using System.Text.Json.Serialization;
using RemoteLogin.Measurement;

namespace RemoteLogin.Results;

/// <summary>
/// The floors measured around one configuration's run in one round, each in a fresh process: right before it and
/// right after it. A ratio is taken to the better of the two (DESIGN.md, "The floor").
/// </summary>
public sealed record FloorsAround(FloorFigures Before, FloorFigures After)
{
    /// <summary>Before and after more than this far apart: the machine changed under the run.</summary>
    public const double DisturbedAbove = 2.0;

    /// <summary>The lower blocking round trip around the run, p50 µs.</summary>
    [JsonIgnore]
    public double Blocking => Math.Min(Before.BlockingP50Micros, After.BlockingP50Micros);

    /// <summary>The lower spin round trip around the run, p50 µs; null where it was not measured (placement same).</summary>
    [JsonIgnore]
    public double? Spin => Before.SpinP50Micros is { } b && After.SpinP50Micros is { } a ? Math.Min(b, a) : null;

    /// <summary>The higher stream throughput around the run, chars/s; null where it was not measured (round-trip runs).</summary>
    [JsonIgnore]
    public double? Stream => Before.StreamCharsPerSecond is { } b && After.StreamCharsPerSecond is { } a ? Math.Max(b, a) : null;

    /// <summary>Whether any floor differs between before and after by more than <see cref="DisturbedAbove"/>×.</summary>
    [JsonIgnore]
    public bool Disturbed =>
        Apart(Before.BlockingP50Micros, After.BlockingP50Micros)
        || (Before.SpinP50Micros is { } sb && After.SpinP50Micros is { } sa && Apart(sb, sa))
        || (Before.StreamCharsPerSecond is { } tb && After.StreamCharsPerSecond is { } ta && Apart(tb, ta));

    private static bool Apart(double a, double b) => a <= 0 || b <= 0 || Math.Max(a, b) / Math.Min(a, b) > DisturbedAbove;
}

/// <summary>One floor measurement's figures: p50 µs of each ping-pong, chars/s of the stream.</summary>
public sealed record FloorFigures(double BlockingP50Micros, double? SpinP50Micros, double? StreamCharsPerSecond);

/// <summary>
/// One round of one configuration, as results.json keeps every one of them ("runs[].rounds[]"): the timed pass's
/// latency and throughput, its ratios to the floors around it, and the integrity of both passes.
/// </summary>
public sealed record RoundResult
{
    public required int Round { get; init; }
    /// <summary>Where in its round this configuration ran (1 = first), after the seeded shuffle.</summary>
    public required int Position { get; init; }
    public required LatencySummary RttMicros { get; init; }
    public required double CharsPerSecond { get; init; }
    /// <summary>p50 over the lower blocking floor around the run; round-trip scenarios only.</summary>
    public double? P50OverFloor { get; init; }
    /// <summary>p50 over the lower spin floor around the run; round-trip scenarios only, and not under placement same.</summary>
    public double? P50OverSpin { get; init; }
    /// <summary>chars/s over the higher stream floor around the run; the paste only.</summary>
    public double? CharsPerSecondOverStream { get; init; }
    /// <summary>Both passes', added: a byte lost in either fails the round.</summary>
    public required IntegrityCounts Integrity { get; init; }
    public required bool Failed { get; init; }
    /// <summary>The floors before and after this run differ by more than 2×: still in the median, and counted in the table.</summary>
    public required bool Disturbed { get; init; }
    public required FloorsAround Floors { get; init; }
    /// <summary>CPU other processes used during the timed pass, % of one core.</summary>
    public double? OtherCpuPercent { get; init; }
    /// <summary>The same on the daemon's host, in a two-host run.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DaemonHostOtherCpuPercent { get; init; }
    /// <summary>The counted pass's p50, µs: beside the timed one, what perf and the metrics session cost the round trip.</summary>
    public double? CountedP50Micros { get; init; }
}

/// <summary>
/// The configuration's second pass, with perf and the metrics session attached: where the counts that need them come
/// from (system calls, the daemon's meter and time series). Its latency is kept to show what watching costs.
/// </summary>
public sealed record CountedPass(LatencySummary RttMicros, double CharsPerSecond, IntegrityCounts Integrity, string? HistogramLog);

/// <summary>Allocated bytes per character, with what the readings at the edges themselves allocate (the resolution) beside it.</summary>
public sealed record PerCharBound(double Value, double Resolution);

/// <summary>The allocation per character on each side ("allocatedBytesPerChar").</summary>
public sealed record AllocationPerChar(PerCharBound Client, PerCharBound? Server);
