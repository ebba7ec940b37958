using RemoteLogin.Bench.Floor;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// Folds the rounds of each configuration into one reported run, and keeps every round in it. Its ratios are medians
/// over rounds of each round's ratio to the floors around it, and its other figures come from the round whose ratio is
/// the median; for an even count of rounds, the lower of the two middle ones, so that every figure is one measured. A run fails when any round failed, whichever.
/// </summary>
internal static class RoundSummary
{
    public static List<RunResult> Summarize(IReadOnlyList<RoundRun> runs) =>
        // A client held to another strategy is another configuration: its rows are never folded into the default's.
        runs.GroupBy(r => (r.Result.Scenario, r.Result.Strategy, r.Result.ClientStrategyOrSame, r.Result.Subdaemon, r.Result.Protocol))
            .Select(group =>
            {
                var ordered = group.OrderBy(r => r.Ratio()).ToList();
                var median = Middle(ordered);
                var rounds = group.OrderBy(r => r.Round).Select(r => r.ToRoundResult()).ToList();
                var (overFloor, overFloorRange) = MedianAndRange(rounds.Select(r => r.P50OverFloor));
                var (overSpin, overSpinRange) = MedianAndRange(rounds.Select(r => r.P50OverSpin));
                var (overStream, overStreamRange) = MedianAndRange(rounds.Select(r => r.CharsPerSecondOverStream));
                return median.Result with
                {
                    Round = median.Round,
                    Failed = group.Any(r => r.Failed),
                    P50OverFloor = overFloor,
                    P50OverFloorRange = overFloorRange,
                    P50OverSpin = overSpin,
                    P50OverSpinRange = overSpinRange,
                    CharsPerSecondOverStream = overStream,
                    CharsPerSecondOverStreamRange = overStreamRange,
                    DisturbedRounds = group.Count(r => r.Floors.Disturbed),
                    OtherCpuPercent = group.Max(r => r.OtherCpuPercent),
                    DaemonHostOtherCpuPercent = group.Max(r => r.DaemonHostOtherCpuPercent),
                    Rounds = rounds,
                };
            })
            // Models side by side under each strategy: the comparison the subdaemon axis exists for.
            .OrderBy(r => r.Scenario).ThenBy(r => r.Protocol).ThenBy(r => r.Strategy).ThenBy(r => r.ClientStrategyOrSame).ThenBy(r => r.Subdaemon)
            .ToList();

    /// <summary>
    /// The floors for the top of results.json: every run had its own before and after; of each kind, the measurement
    /// with the median figure (the lower middle for an even count), with every measurement's figure beside it.
    /// </summary>
    public static FloorsSummary Floors(IReadOnlyList<RoundRun> runs)
    {
        var all = runs.SelectMany(r => r.FloorsBefore.Select(f => (r.Round, Floor: f)).Concat(r.FloorsAfter.Select(f => (r.Round, Floor: f)))).ToList();
        FloorSummary? RoundTrip(FloorKind kind)
        {
            var byP50 = all.Where(f => f.Floor.Kind == kind).OrderBy(f => f.Floor.Figure).ToList();
            if (byP50.Count == 0)
            {
                return null;
            }
            var median = Middle(byP50);
            return new FloorSummary(median.Floor.RttMicros!, median.Round, [.. byP50.Select(f => f.Floor.Figure)]);
        }
        var streams = all.Where(f => f.Floor.Kind == FloorKind.Stream).OrderBy(f => f.Floor.Figure).ToList();
        var stream = streams.Count == 0 ? null : new StreamFloorSummary(Middle(streams).Floor.Figure, [.. streams.Select(f => f.Floor.Figure)]);
        return new FloorsSummary(RoundTrip(FloorKind.Blocking)!, RoundTrip(FloorKind.Spin), stream);
    }

    /// <summary>The middle item of a sorted list, the lower of the two middle ones for an even count: always one that was measured.</summary>
    public static T Middle<T>(IReadOnlyList<T> sorted) => sorted[(sorted.Count - 1) / 2];

    /// <summary>The median and [min, max] of the ratios rounds have (each already rounded by its round); nulls where none has one.</summary>
    private static (double? Median, double[]? Range) MedianAndRange(IEnumerable<double?> ratios)
    {
        var sorted = ratios.OfType<double>().Order().ToList();
        return sorted.Count == 0 ? (null, null) : (Middle(sorted), [sorted[0], sorted[^1]]);
    }
}
