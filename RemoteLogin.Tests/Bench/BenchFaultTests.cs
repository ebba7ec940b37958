using System.Text.Json;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Bench;

/// <summary>The bench against a path that drops one echoed byte in one round only: the run fails everywhere it is shown.</summary>
public class BenchFaultTests
{
    [Fact]
    public async Task A_byte_dropped_in_one_round_fails_the_run_and_the_bench()
    {
        using var scratch = new ScratchDirectory("fault");
        string directory = scratch.Path;
        // Round 2 of 3 loses a byte; whichever round is the median, the run must fail.
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench",
            ["--quick", "--rounds", "3", "--scenarios", "paste", "--strategies", "batched", "--subdaemons", "task", "--protocols", "raw",
             "--seed", "5", "--drop-byte-in-round", "2", "--out", directory]), limit: TimeSpan.FromMinutes(10));

        Assert.True(outcome.ExitCode == 1, $"exit {outcome.ExitCode}: {outcome.StandardError}");
        Assert.Contains("FAILED paste batched task raw", outcome.StandardError);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.json")));
        var run = Assert.Single(json.RootElement.GetProperty("runs").EnumerateArray());
        Assert.True(run.GetProperty("failed").GetBoolean());
        var rounds = run.GetProperty("rounds").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], rounds.Select(r => r.GetProperty("round").GetInt32()));
        Assert.Equal([false, true, false], rounds.Select(r => r.GetProperty("failed").GetBoolean()));
        var lostRound = rounds[1].GetProperty("integrity");
        Assert.Equal(1, lostRound.GetProperty("lost").GetInt64());
        Assert.Equal(0, lostRound.GetProperty("corrupted").GetInt64());
        Assert.True(json.RootElement.GetProperty("complete").GetBoolean());
        Assert.Contains("FAILED (round 2)", File.ReadAllText(Path.Combine(directory, "results.md")));
        Assert.Contains("FAILED (round 2)", File.ReadAllText(Path.Combine(directory, "results.csv")));
        Assert.Contains("FAILED paste batched task raw", outcome.StandardOutput); // under the console's table
    }
}
