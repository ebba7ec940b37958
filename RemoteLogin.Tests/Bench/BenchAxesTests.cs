using System.Text.Json;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Bench;

/// <summary>Placement, idle state and a client held to one strategy are axes the bench runs under, records and names, not silent defaults.</summary>
public class BenchAxesTests
{
    [Fact]
    public async Task Under_placement_same_cpu_idle_poll_and_a_held_client_the_run_says_so_and_measures_no_spin_floor()
    {
        using var scratch = new ScratchDirectory("axes");
        string directory = scratch.Path;
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench",
            ["--quick", "--scenarios", "interactive", "--strategies", "naive", "--subdaemons", "thread", "--protocols", "raw",
             "--placement", "same", "--cpu-idle", "poll", "--client-strategy", "zerocopy", "--client-completions", "pool", "--seed", "3", "--out", directory]), limit: TimeSpan.FromMinutes(5));

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.json")));
        var root = json.RootElement;
        var environment = root.GetProperty("environment");
        Assert.Equal("same", environment.GetProperty("placement").GetString());
        Assert.Equal("poll", environment.GetProperty("cpuIdle").GetString());
        // Root here: the hold is permitted, and the status says what holds.
        Assert.StartsWith("poll: /dev/cpu_dma_latency held", environment.GetProperty("cpuIdleStatus").GetString());
        Assert.Equal(3, root.GetProperty("seed").GetInt32());
        // Two spinners on one core measure the scheduler: no spin floor, no ratio to it.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("floors").GetProperty("spin").ValueKind);
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        Assert.True(run.GetProperty("p50OverFloor").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("p50OverSpin").ValueKind);
        string markdown = File.ReadAllText(Path.Combine(directory, "results.md"));
        Assert.Contains("placement same", markdown);
        // The daemon echoed naive; the client was started with --strategy zerocopy (its own document says what it ran).
        Assert.Equal("naive", run.GetProperty("strategy").GetString());
        Assert.Equal("zerocopy", run.GetProperty("clientStrategy").GetString());
        Assert.Equal("zerocopy", root.GetProperty("settings").GetProperty("clientStrategy").GetString());
        using var client = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "runs", "interactive-naive-client-zerocopy-thread-raw-r1.json")));
        Assert.Equal("zerocopy", client.RootElement.GetProperty("strategy").GetString());
        Assert.Contains("| client strategy |", markdown);
        // Pool completions: the client ran without the inline switch it gets by default, and the run says so.
        Assert.Equal("pool", root.GetProperty("settings").GetProperty("clientCompletions").GetString());
        Assert.False(environment.GetProperty("dotnetEnvironment").GetProperty("client").TryGetProperty(RuntimeSwitches.InlineSocketCompletions, out _));
        Assert.False(client.RootElement.GetProperty("settings").TryGetProperty(RuntimeSwitches.InlineSocketCompletions, out _));
    }
}
