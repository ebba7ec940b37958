using RemoteLogin.Bench.Floor;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// One configuration's run in one round: its result (the timed pass's figures, with the counted pass's counts merged
/// in), the floors measured right before and right after it, and where in the round it ran.
/// </summary>
internal sealed record RoundRun(int Round, int Position, RunResult Result, IReadOnlyList<FloorMeasurement> FloorsBefore,
    IReadOnlyList<FloorMeasurement> FloorsAfter, double? OtherCpuPercent, double? DaemonHostOtherCpuPercent = null)
{
    /// <summary>A paste is a throughput and is compared with the stream floor; every other scenario is a round trip.</summary>
    public bool IsRoundTrip => Result.Scenario != Scenario.Paste;

    public FloorsAround Floors => new(Figures(FloorsBefore), Figures(FloorsAfter));

    public double? P50OverFloor => IsRoundTrip ? Ratio(Result.RttMicros.P50, Floors.Blocking) : null;

    public double? P50OverSpin => IsRoundTrip && Floors.Spin is { } spin ? Ratio(Result.RttMicros.P50, spin) : null;

    public double? CharsPerSecondOverStream => !IsRoundTrip && Floors.Stream is { } stream ? Ratio(Result.CharsPerSecond, stream) : null;

    /// <summary>The ratio rounds are ordered by to find the median one.</summary>
    public double Ratio() => P50OverFloor ?? CharsPerSecondOverStream ?? double.NaN;

    /// <summary>Both passes' integrity, added: a byte lost in either counts.</summary>
    public IntegrityCounts Integrity => Result.CountedPass is { } counted ? Result.Integrity + counted.Integrity : Result.Integrity;

    public bool Failed => !Result.Succeeded || !Integrity.IsIntact;

    public RoundResult ToRoundResult() => new()
    {
        Round = Round,
        Position = Position,
        RttMicros = Result.RttMicros,
        CharsPerSecond = Result.CharsPerSecond,
        P50OverFloor = Rounded(P50OverFloor),
        P50OverSpin = Rounded(P50OverSpin),
        CharsPerSecondOverStream = Rounded(CharsPerSecondOverStream),
        Integrity = Integrity,
        Failed = Failed,
        Disturbed = Floors.Disturbed,
        Floors = Floors,
        OtherCpuPercent = OtherCpuPercent,
        DaemonHostOtherCpuPercent = DaemonHostOtherCpuPercent,
        CountedP50Micros = Result.CountedPass?.RttMicros.P50,
    };

    private static FloorFigures Figures(IReadOnlyList<FloorMeasurement> floors) => new(
        floors.Single(f => f.Kind == FloorKind.Blocking).Figure,
        floors.SingleOrDefault(f => f.Kind == FloorKind.Spin)?.Figure,
        floors.SingleOrDefault(f => f.Kind == FloorKind.Stream)?.Figure);

    private static double? Ratio(double value, double floor) => floor > 0 ? value / floor : null;

    /// <summary>Three significant digits: a paste at 0.00013 of the stream floor keeps its figure.</summary>
    private static double? Rounded(double? ratio) => ratio is { } r && r > 0 ? Math.Round(r, Math.Max(3, 2 - (int)Math.Floor(Math.Log10(r)))) : ratio;
}
