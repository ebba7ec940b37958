using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// <c>--dry-run</c> prints the matrix the bench would run, in its order: the default comparison and <c>--quick</c>
/// hold every strategy, model, scenario and protocol the design names, in the combinations it names, without the
/// minutes a real run of each takes.
/// </summary>
public class BenchScheduleTests
{
    /// <summary>Raw: 4 strategies × 4 models × (interactive, typists), and paste under the task model; telnet and
    /// rlogin: 4 strategies × (interactive, paste) under the task model; the concentrator under the 4 models, pipelined,
    /// its daemon in mux.</summary>
    private const int RunsPerRound = 36 + 16 + 4;

    [Fact]
    public async Task The_quick_matrix_is_one_round_of_every_configuration()
    {
        var schedule = await DryRunAsync("--quick", "--seed", "7");

        Assert.Equal($"{RunsPerRound} runs in 1 round, seed 7", schedule.Header);
        var runs = schedule.Runs;
        Assert.Equal(RunsPerRound, runs.Count);
        Assert.All(runs, run => Assert.Equal(1, run.Round));
        Assert.Equal(RunsPerRound, runs.Select(run => run.Configuration).Distinct().Count());
        Assert.Equal(["batched", "naive", "pipelined", "zerocopy"], runs.Select(r => r.Strategies).Distinct().Order());
        Assert.Equal(["process", "relay", "task", "thread"], runs.Select(r => r.Subdaemon).Distinct().Order());
        Assert.Equal(["concentrator", "interactive", "paste", "typists"], runs.Select(r => r.Scenario).Distinct().Order());
        Assert.Equal(["mux", "raw", "rlogin", "telnet"], runs.Select(r => r.Protocol).Distinct().Order());
        var concentrator = runs.Where(r => r.Scenario == "concentrator").ToList();
        Assert.Equal(["process", "relay", "task", "thread"], concentrator.Select(r => r.Subdaemon).Order());
        Assert.All(concentrator, run => Assert.Equal(("pipelined", "mux"), (run.Strategies, run.Protocol)));
        foreach (var run in runs.Except(concentrator))
        {
            Assert.NotEqual("mux", run.Protocol); // a mux daemon serves the concentrator alone
            // Paste and the line protocols run under the task model only; the typists type raw.
            if (run.Scenario == "paste" || run.Protocol != "raw")
            {
                Assert.Equal("task", run.Subdaemon);
            }
            if (run.Protocol != "raw")
            {
                Assert.NotEqual("typists", run.Scenario);
            }
        }
    }

    [Fact]
    public async Task The_default_comparison_repeats_the_matrix_in_three_rounds_each_in_its_own_order()
    {
        var schedule = await DryRunAsync("--seed", "7");

        Assert.Equal($"{3 * RunsPerRound} runs in 3 rounds, seed 7", schedule.Header);
        var rounds = schedule.Runs.GroupBy(run => run.Round).ToDictionary(g => g.Key, g => g.Select(run => run.Configuration).ToList());
        Assert.Equal([1, 2, 3], rounds.Keys.Order());
        var quick = (await DryRunAsync("--quick", "--seed", "7")).Runs.Select(run => run.Configuration).ToHashSet();
        foreach (var round in rounds.Values)
        {
            Assert.True(quick.SetEquals(round), "a round runs exactly the quick matrix");
        }
        // The seed orders each round afresh, so a drift in the machine does not land on the same configurations each time.
        Assert.NotEqual(rounds[1], rounds[2]);
        Assert.NotEqual(rounds[2], rounds[3]);
        // And the same seed orders them the same way again: a run can be repeated.
        Assert.Equal(schedule.Runs, (await DryRunAsync("--seed", "7")).Runs);
    }

    [Fact]
    public async Task Axes_named_on_the_command_line_run_their_whole_cross_product()
    {
        var schedule = await DryRunAsync("--quick", "--strategies", "naive,zerocopy", "--subdaemons", "thread", "--protocols", "raw,telnet");

        // A user who names the models or the protocols gets every combination of them, paste and telnet under thread
        // included: the default's focus on the task model is the default's alone.
        var expected =
            from scenario in new[] { "interactive", "paste", "typists" }
            from strategy in new[] { "naive", "zerocopy" }
            from protocol in new[] { "raw", "telnet" }
            select (scenario, strategy, "thread", protocol);
        // Named strategies reach the concentrator's daemon too, in mux.
        var concentrator = new[] { "naive", "zerocopy" }.Select(strategy => ("concentrator", strategy, "thread", "mux"));
        Assert.Equal(expected.Concat(concentrator).Order(), schedule.Runs.Select(run => run.Configuration).Order());
    }

    /// <summary>The bench's <c>--dry-run</c> output: the header, then one line per run.</summary>
    internal static async Task<Schedule> DryRunAsync(params string[] arguments)
    {
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench", [.. arguments, "--dry-run"]), limit: TimeSpan.FromMinutes(2));
        Assert.True(outcome.ExitCode == 0, outcome.StandardError + outcome.StandardOutput);
        var lines = outcome.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Schedule(lines[0], lines.Skip(1).Select(ScheduledRun.Parse).ToList());
    }

    internal sealed record Schedule(string Header, IReadOnlyList<ScheduledRun> Runs);

    /// <summary>One line of the schedule: <c>round R: scenario strategies subdaemon protocol</c>.</summary>
    internal sealed record ScheduledRun(int Round, string Scenario, string Strategies, string Subdaemon, string Protocol)
    {
        public (string, string, string, string) Configuration => (Scenario, Strategies, Subdaemon, Protocol);

        public static ScheduledRun Parse(string line)
        {
            // The strategies are one word, or "echo (client other)" when --client-strategy holds the clients to another.
            string[] words = line.Split(' ');
            Assert.True(words.Length >= 6 && words[0] == "round" && words[1].EndsWith(':'), $"not a scheduled run: '{line}'");
            return new ScheduledRun(
                int.Parse(words[1].TrimEnd(':'), System.Globalization.CultureInfo.InvariantCulture),
                words[2], string.Join(' ', words[3..^2]), words[^2], words[^1]);
        }
    }
}
