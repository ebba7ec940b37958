using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Matrix;

/// <summary>Folds the rounds of each configuration into one reported run: the round with the median ratio to its floor.</summary>
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
            .ToList();

    /// <summary>The floor of the median round, by p50.</summary>
    public static FloorResult Floor(IReadOnlyList<RoundRun> runs)
    {
        var floors = runs.Select(r => (r.Round, r.Floor)).Distinct().OrderBy(f => f.Floor.P50).ToList();
        var median = floors[(floors.Count - 1) / 2];
        return new FloorResult(median.Floor, median.Round, floors.Select(f => f.Floor.P50).ToArray());
    }

    public static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
