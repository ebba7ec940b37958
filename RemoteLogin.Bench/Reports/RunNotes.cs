using System.Globalization;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Reports;

/// <summary>Something a reader must know before trusting a row: a few words for its status cell, a sentence for the list below the table.</summary>
internal sealed record RunNote(string Status, string Sentence);

/// <summary>The notes a run carries: a failed round, a load generator later than the round trip it measures, outside load, disturbed floors.</summary>
internal static class RunNotes
{
    /// <summary>Other processes using more of a core than this during a run flag it: the machine was not quiet.</summary>
    public const double OutsideLoadPercent = 10;

    public static IEnumerable<RunNote> Of(RunResult run)
    {
        string name = RunColumns.Name(run);
        if (run.Failed)
        {
            var rounds = run.Rounds?.Where(r => r.Failed).Select(r => r.Round.ToString(CultureInfo.InvariantCulture)).ToList() ?? [];
            yield return new(rounds.Count > 0 ? $"FAILED (round {string.Join(", ", rounds)})" : "FAILED",
                $"FAILED {name}: a round lost, duplicated or corrupted a byte, or a session broke (see its rounds in results.json)");
        }
        if (GeneratorBound(run))
        {
            yield return new("generator late",
                $"{name}: the load generator's send lateness p99 ({run.SendLatenessMicros!.P99} µs) exceeds the round trip's p50 " +
                $"({run.RttMicros.P50} µs): the generator, not the daemon, is being measured");
        }
        if (run.OtherCpuPercent > OutsideLoadPercent)
        {
            yield return new($"outside load {run.OtherCpuPercent:0}%", $"{name}: other processes used {run.OtherCpuPercent:0}% of a core during a round");
        }
        if (run.DaemonHostOtherCpuPercent > OutsideLoadPercent)
        {
            yield return new($"outside load on daemon host {run.DaemonHostOtherCpuPercent:0}%",
                $"{name}: other processes used {run.DaemonHostOtherCpuPercent:0}% of a core on the daemon's host during a round");
        }
        if (run.DisturbedRounds > 0)
        {
            // The table has a column for it; the sentence is for the list.
            yield return new("", $"{name}: {run.DisturbedRounds} of {run.Rounds?.Count} rounds disturbed (floors before and after differ by more than 2×)");
        }
    }

    /// <summary>"ok", or the run's notes in a few words.</summary>
    public static string Status(RunResult run)
    {
        var notes = Of(run).Select(n => n.Status).Where(s => s.Length > 0).ToList();
        return notes.Count == 0 ? "ok" : string.Join("; ", notes);
    }

    /// <summary>The generator's own lateness p99 exceeds the round trip's p50: it, not the daemon, is being measured.</summary>
    private static bool GeneratorBound(RunResult run) => run.SendLatenessMicros is { Count: > 0 } late && late.P99 > run.RttMicros.P50;
}
