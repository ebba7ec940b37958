using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Load;
using RemoteLogin.Client.Scenarios;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Measurement;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Client;

/// <summary>What the load client reports about itself: how late it typed, which setups it counts, what its readings cost.</summary>
public class LoadHonestyTests
{
    [Fact]
    public async Task A_typing_thread_sleeps_with_one_nanosecond_of_timer_slack()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive);
        using var session = ClientTransports.Connect(
            BufferStrategy.Naive, WireProtocol.Raw, daemon.Endpoint, TypedText.AllBytes, TransportSettings.Default);
        session.StartReceiving();
        string? before = null, after = null;
        Exception? failed = null;
        var typist = new Thread(() =>
        {
            try
            {
                before = OwnTimerSlack();
                new TypistsScenario(1_000).Type(session, 5, new Random(1), null);
                after = OwnTimerSlack();
            }
            catch (Exception e)
            {
                failed = e;
            }
        });

        typist.Start();
        Assert.True(typist.Join(TimeSpan.FromSeconds(30)), "the typist did not finish");

        Assert.Null(failed);
        Assert.NotEqual("1", before); // the default, so the scenario is what set it
        Assert.Equal("1", after);
    }

    /// <summary>
    /// The calling thread's timer slack. The kernel shows it only as /proc/ID/timerslack_ns, and another thread's only
    /// to CAP_SYS_NICE, so a thread reads its own, under its own id (what /proc/thread-self points at: PID/task/TID).
    /// </summary>
    private static string OwnTimerSlack()
    {
        string tid = Path.GetFileName(new FileInfo("/proc/thread-self").LinkTarget!);
        return File.ReadAllText($"/proc/{tid}/timerslack_ns").Trim();
    }

    [Fact]
    public async Task Typists_report_how_late_each_measured_character_was_handed_over()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Zerocopy);
        var options = new LoadOptions
        {
            Daemon = daemon.Endpoint,
            Strategy = BufferStrategy.Zerocopy,
            Scenario = Scenario.Typists,
            Sessions = 3,
            Chars = 600,
            WarmupChars = 60,
            CharsPerSecond = 400,
        };

        var run = new LoadRunner(options, PhaseSync.None).Run();

        Assert.True(run.Result.Integrity.IsIntact);
        var lateness = Assert.IsType<LatencySummary>(run.Result.SendLatenessMicros);
        Assert.Equal(run.Result.Chars, lateness.Count);
        Assert.True(lateness.P50 <= lateness.Max);
        Assert.NotNull(run.SendLateness);
        Assert.Equal("sendLateness", run.SendLateness.Tag);
        Assert.Equal(run.Result.Chars, run.SendLateness.TotalCount);
    }

    [Theory]
    [InlineData(Scenario.Interactive)]
    [InlineData(Scenario.Paste)]
    public async Task Scenarios_without_an_intended_time_per_character_report_no_lateness(Scenario scenario)
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Pipelined);
        var options = new LoadOptions
        {
            Daemon = daemon.Endpoint,
            Strategy = BufferStrategy.Pipelined,
            Scenario = scenario,
            Chars = 500,
            WarmupChars = 50,
        };

        var run = new LoadRunner(options, PhaseSync.None).Run();

        Assert.True(run.Result.Integrity.IsIntact);
        Assert.Null(run.Result.SendLatenessMicros);
        Assert.Null(run.SendLateness);
    }

    [Fact]
    public async Task One_session_reports_no_setup_percentiles()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive);
        var options = new LoadOptions { Daemon = daemon.Endpoint, Chars = 100, WarmupChars = 10 };

        var run = new LoadRunner(options, PhaseSync.None).Run();

        Assert.Null(run.Result.SetupMicros);
        Assert.Equal(0, run.Setup.TotalCount);
    }

    [Fact]
    public async Task Twelve_sessions_report_the_setup_of_the_ten_warm_ones()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Zerocopy);
        var options = new LoadOptions
        {
            Daemon = daemon.Endpoint,
            Strategy = BufferStrategy.Zerocopy,
            Scenario = Scenario.Typists,
            Sessions = 12,
            Chars = 240,
            WarmupChars = 24,
            CharsPerSecond = 200,
        };

        var run = new LoadRunner(options, PhaseSync.None).Run();

        var setup = Assert.IsType<LatencySummary>(run.Result.SetupMicros);
        Assert.Equal(12 - LoadRunner.ColdSessions, setup.Count);
        Assert.Equal(12 - LoadRunner.ColdSessions, run.Setup.TotalCount);
    }

    [Fact]
    public async Task A_run_records_its_seed_and_what_a_counter_reading_allocates()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive);
        var options = new LoadOptions { Daemon = daemon.Endpoint, Chars = 100, WarmupChars = 10, Seed = 1_282 };

        var run = new LoadRunner(options, PhaseSync.None).Run();

        Assert.Equal("1282", run.Result.Settings["seed"]);
        // A reading is a record on the heap: two back to back differ by at least that, so zero would mean none was taken.
        Assert.True(run.Result.ClientAllocationNoiseBytes > 0);
    }
}
