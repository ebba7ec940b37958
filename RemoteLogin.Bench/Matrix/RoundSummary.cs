using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// Folds the rounds of each configuration into one reported run. Its ratio is the median over rounds of each run's
/// p50 over its own floor; its other figures come from the round whose ratio is that median (the lower of the two
/// middle rounds when the count is even).
/// </summary>
public static class RoundSummary
{
    public static List<RunResult> Summarize(IReadOnlyList<RoundRun> runs) =>
        runs.GroupBy(r => (r.Result.Scenario, r.Result.Strategy, r.Result.Subdaemon, r.Result.Protocol))
            .Select(group =>
            {
                var ordered = group.OrderBy(r => r.P50OverFloor).ToList();
                var median = ordered[(ordered.Count - 1) / 2];
                return median.Result with
                {
                    P50OverFloor = Math.Round(Median(ordered.Select(r => r.P50OverFloor).ToList()), 3),
                    P50OverFloorRange = [Math.Round(ordered[0].P50OverFloor, 3), Math.Round(ordered[^1].P50OverFloor, 3)],
                };
            })
            // Models side by side under each strategy: the comparison the subdaemon axis exists for.
            .OrderBy(r => r.Scenario).ThenBy(r => r.Protocol).ThenBy(r => r.Strategy).ThenBy(r => r.Subdaemon)
            .ToList();

    /// <summary>
    /// The floor for the top of results.json: every run had its own, measured right before it; this is the one
    /// with the median p50 (the lower middle for an even count), with the p50 of every floor measured beside it.
    /// </summary>
    public static FloorResult Floor(IReadOnlyList<RoundRun> runs)
    {
        var byP50 = runs.OrderBy(r => r.Floor.P50).ToList();
        var median = byP50[(byP50.Count - 1) / 2];
        return new FloorResult(median.Floor, median.Round, byP50.Select(r => r.Floor.P50).ToArray());
    }

    public static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
