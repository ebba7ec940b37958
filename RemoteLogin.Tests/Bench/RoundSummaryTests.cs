using RemoteLogin.Bench.Floor;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>Folding rounds into a reported run: every round kept, medians to the floors around each, failures never hidden.</summary>
public class RoundSummaryTests
{
    [Fact]
    public void A_round_that_lost_a_byte_fails_the_run_though_it_is_not_the_median()
    {
        // Round 3 has the highest ratio, so round 2 is the median one; round 3 alone lost a byte.
        var rounds = new[]
        {
            Interactive(round: 1, p50: 20, blocking: 40),
            Interactive(round: 2, p50: 30, blocking: 40),
            Interactive(round: 3, p50: 60, blocking: 40, integrity: new IntegrityCounts(1, 0, 0)),
        };

        var run = Assert.Single(RoundSummary.Summarize(rounds));

        Assert.True(run.Failed);
        Assert.Equal(2, run.Round);
        Assert.Equal(0.75, run.P50OverFloor);
        Assert.Equal([0.5, 1.5], run.P50OverFloorRange!);
        Assert.Equal([1, 2, 3], run.Rounds!.Select(r => r.Round));
        Assert.Equal([false, false, true], run.Rounds!.Select(r => r.Failed));
        Assert.Equal(1, run.Rounds![2].Integrity.Lost);
        Assert.StartsWith("FAILED (round 3)", RunNotes.Status(run));
    }

    [Fact]
    public void A_byte_lost_in_the_counted_pass_fails_the_round_too()
    {
        var round = Interactive(round: 1, p50: 20, blocking: 40);
        round = round with { Result = round.Result with { CountedPass = new CountedPass(Latency(21), 1000, new IntegrityCounts(0, 0, 1), null) } };

        var run = Assert.Single(RoundSummary.Summarize([round]));

        Assert.True(run.Failed);
        Assert.Equal(1, run.Rounds![0].Integrity.Corrupted);
    }

    [Fact]
    public void Each_round_is_divided_by_the_lower_floor_around_it_and_a_wide_gap_marks_it_disturbed()
    {
        var calm = Interactive(round: 1, p50: 30, blocking: 20, blockingAfter: 25, spin: 10, spinAfter: 12);
        var disturbed = Interactive(round: 2, p50: 30, blocking: 20, blockingAfter: 65, spin: 10, spinAfter: 10);
        var third = Interactive(round: 3, p50: 45, blocking: 30, blockingAfter: 30, spin: 15, spinAfter: 15);

        var run = Assert.Single(RoundSummary.Summarize([calm, disturbed, third]));

        Assert.Equal([1.5, 1.5, 1.5], run.Rounds!.Select(r => r.P50OverFloor!.Value));
        Assert.Equal([3.0, 3.0, 3.0], run.Rounds!.Select(r => r.P50OverSpin!.Value));
        Assert.Equal([false, true, false], run.Rounds!.Select(r => r.Disturbed));
        Assert.Equal(1, run.DisturbedRounds);
        Assert.False(run.Failed);
        Assert.Null(run.CharsPerSecondOverStream);
    }

    [Fact]
    public void A_paste_is_compared_with_the_stream_floor_not_a_round_trip()
    {
        RoundRun Paste(int round, double charsPerSecond, double stream) => new(round, 1, Result(Scenario.Paste, 5000, charsPerSecond, new(0, 0, 0)),
            [new(FloorKind.Blocking, Latency(20), null), new(FloorKind.Stream, null, stream)],
            [new(FloorKind.Blocking, Latency(20), null), new(FloorKind.Stream, null, stream * 1.5)], 0);

        var run = Assert.Single(RoundSummary.Summarize([Paste(1, 1e8, 1e9), Paste(2, 3e8, 1e9), Paste(3, 6e8, 1e9)]));

        Assert.Null(run.P50OverFloor);
        Assert.Null(run.P50OverSpin);
        Assert.Equal(0.2, run.CharsPerSecondOverStream); // over the higher of the two stream floors, 1.5e9
        Assert.Equal([0.0667, 0.4], run.CharsPerSecondOverStreamRange!);
        Assert.Equal(2, run.Round);
    }

    [Fact]
    public void Runs_differing_only_by_the_client_strategy_stay_two_rows_and_the_tables_name_the_client()
    {
        var same = Interactive(round: 1, p50: 20, blocking: 40);
        // An older result says nothing of its client: it ran the daemon's strategy, and folds with one that says so.
        var sameSaid = Interactive(round: 2, p50: 30, blocking: 40);
        sameSaid = sameSaid with { Result = sameSaid.Result with { ClientStrategy = BufferStrategy.Naive } };
        var held = Interactive(round: 1, p50: 10, blocking: 40);
        held = held with { Result = held.Result with { ClientStrategy = BufferStrategy.Zerocopy } };

        var runs = RoundSummary.Summarize([same, held, sameSaid]);

        Assert.Equal(2, runs.Count);
        Assert.Equal([BufferStrategy.Naive, BufferStrategy.Naive], runs.Select(r => r.Strategy));
        Assert.Equal([BufferStrategy.Naive, BufferStrategy.Zerocopy], runs.Select(r => r.ClientStrategyOrSame));
        Assert.Equal([2, 1], runs.Select(r => r.Rounds!.Count));
        Assert.Equal("interactive naive (client zerocopy) thread raw", RunColumns.Name(runs[1]));
        // The column shows where some client differs, and then names every run's client.
        var client = RunColumns.All.Single(c => c.Header == "client strategy");
        Assert.False(client.MattersFor(runs[0]));
        Assert.True(client.MattersFor(runs[1]));
        var csv = ReportWriter.Csv(runs).TrimEnd().Split('\n').Select(line => line.TrimEnd('\r').Split(',')).ToList();
        int column = Array.IndexOf(csv[0], "client strategy");
        Assert.Equal(Array.IndexOf(csv[0], "strategy") + 1, column);
        Assert.Equal(["naive", "zerocopy"], csv.Skip(1).Select(row => row[column]));
        string json = ResultsJson.Serialize(runs[1]);
        Assert.Contains("\"strategy\": \"naive\"", json);
        Assert.Contains("\"clientStrategy\": \"zerocopy\"", json);
        Assert.Equal(BufferStrategy.Zerocopy, ResultsJson.Deserialize<RunResult>(json).ClientStrategy);
    }

    [Fact]
    public void The_top_level_floors_are_the_median_measurements_of_each_kind()
    {
        var rounds = new[]
        {
            Interactive(round: 1, p50: 30, blocking: 20, blockingAfter: 22, spin: 9, spinAfter: 8),
            Interactive(round: 2, p50: 30, blocking: 70, blockingAfter: 21, spin: 7, spinAfter: 10),
        };

        var floors = RoundSummary.Floors(rounds);

        Assert.Equal([20, 21, 22, 70], floors.Blocking.P50PerMeasurement);
        Assert.Equal(21, floors.Blocking.RttMicros.P50);
        Assert.Equal(2, floors.Blocking.Round);
        Assert.Equal(8, floors.Spin!.RttMicros.P50);
        Assert.Null(floors.Stream);
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule_and_every_round_runs_every_configuration_once()
    {
        BenchPlan Plan(int seed) => new()
        {
            Strategies = Enum.GetValues<BufferStrategy>(),
            Subdaemons = Enum.GetValues<SubdaemonModel>(),
            Protocols = [WireProtocol.Raw],
            Scenarios = Enum.GetValues<Scenario>(),
            Rounds = 3,
            Quick = true,
            FloorRoundTrips = 1,
            RuntimeSwitches = new Dictionary<string, string>(),
            Seed = seed,
        };
        string Order(BenchPlan plan) => string.Join(" ", plan.Schedule().Select(d => $"{d.Round}:{d.Strategy.Name()}/{d.Subdaemon.Name()}:{string.Join(",", d.Scenarios.Select(s => s.Name()))}"));

        Assert.Equal(Order(Plan(42)), Order(Plan(42)));
        Assert.NotEqual(Order(Plan(42)), Order(Plan(43)));
        var schedule = Plan(7).Schedule().ToList();
        foreach (var round in schedule.GroupBy(d => d.Round))
        {
            Assert.Equal(16, round.Select(d => (d.Strategy, d.Subdaemon)).Distinct().Count());
        }
        // Shuffled anew every round, not the first round's order three times.
        Assert.NotEqual(schedule.Where(d => d.Round == 1).Select(d => (d.Strategy, d.Subdaemon)), schedule.Where(d => d.Round == 2).Select(d => (d.Strategy, d.Subdaemon)));
    }

    [Fact]
    public void A_paste_is_sized_by_its_slower_end_and_the_daemon_admits_every_typist()
    {
        var plan = new BenchPlan
        {
            Strategies = [BufferStrategy.Naive], Subdaemons = [SubdaemonModel.Task], Protocols = [WireProtocol.Raw], Scenarios = [Scenario.Paste],
            Rounds = 3, Quick = false, FloorRoundTrips = 1, RuntimeSwitches = new Dictionary<string, string>(), Seed = 1,
            TypistSessions = 5_000,
        };
        // A naive echo under a zerocopy client makes two system calls per character at the daemon: a naive paste's size.
        Assert.Equal(plan.SizeOf(Scenario.Paste, BufferStrategy.Naive, BufferStrategy.Naive), plan.SizeOf(Scenario.Paste, BufferStrategy.Naive, BufferStrategy.Zerocopy));
        Assert.True(plan.SizeOf(Scenario.Paste, BufferStrategy.Zerocopy, BufferStrategy.Zerocopy).Chars > plan.SizeOf(Scenario.Paste, BufferStrategy.Zerocopy, BufferStrategy.Batched).Chars);
        Assert.True(plan.MaxSessions >= 5_000);
        Assert.Equal(Server.Daemon.DaemonOptions.DefaultMaxSessions, (plan with { TypistSessions = null }).MaxSessions);
    }

    private static RoundRun Interactive(int round, double p50, double blocking, double? blockingAfter = null, double spin = 10, double? spinAfter = null,
        IntegrityCounts? integrity = null) =>
        new(round, 1, Result(Scenario.Interactive, p50, 1e4, integrity ?? new(0, 0, 0)),
            [new(FloorKind.Blocking, Latency(blocking), null), new(FloorKind.Spin, Latency(spin), null)],
            [new(FloorKind.Blocking, Latency(blockingAfter ?? blocking), null), new(FloorKind.Spin, Latency(spinAfter ?? spin), null)],
            OtherCpuPercent: 0);

    private static LatencySummary Latency(double p50) => new(p50, p50, p50, p50, p50, p50, p50, 1000);

    private static RunResult Result(Scenario scenario, double p50, double charsPerSecond, IntegrityCounts integrity) => new()
    {
        Scenario = scenario,
        Strategy = BufferStrategy.Naive,
        Subdaemon = SubdaemonModel.Thread,
        Protocol = WireProtocol.Raw,
        Sessions = 1,
        Chars = 1000,
        ElapsedSeconds = 1,
        CharsPerSecond = charsPerSecond,
        RttMicros = Latency(p50),
        Integrity = integrity,
        Client = new ProcessCounters(1, 1, 1, 1, 0, 0),
        System = new SystemCounters(0, 0, 0),
    };
}
