using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Load;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>Every strategy, the same on both ends, carries arbitrary bytes through a real daemon over loopback intact.</summary>
public class EchoIntegrityTests
{
    public static TheoryData<SubdaemonModel, BufferStrategy, Scenario> Matrix() => Pairings.EveryModelAndStrategyWith(Scenarios.Load);

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Arbitrary_bytes_come_back_intact(SubdaemonModel model, BufferStrategy strategy, Scenario scenario)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model);
        var random = new Random(862);
        var cycle = new byte[1000];
        random.NextBytes(cycle);
        cycle[0] = 0x00;
        cycle[1] = 0xFF;
        cycle[2] = 0xFF; // the telnet escape byte twice in a row
        cycle[3] = 0x00;
        var options = new LoadOptions
        {
            Daemon = daemon.Endpoint,
            Strategy = strategy,
            Scenario = scenario,
            Sessions = scenario == Scenario.Typists ? 4 : 1,
            Chars = strategy == BufferStrategy.Batched && scenario == Scenario.Interactive ? 300 : 3_000,
            WarmupChars = 100,
            CharsPerSecond = 500,
            Transport = TransportSettings.Default with { Window = 512 },
        };

        var run = new LoadRunner(options, PhaseSync.None).Run(new TypedText(cycle));

        Assert.Equal(0, run.Result.Integrity.Lost);
        Assert.Equal(0, run.Result.Integrity.Duplicated);
        Assert.Equal(0, run.Result.Integrity.Corrupted);
        Assert.Equal(options.Chars, run.Result.RttMicros.Count);
        Assert.Equal(options.Chars, run.Histogram.TotalCount);
    }

    [Fact]
    public async Task A_window_smaller_than_the_batch_still_drains()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched);
        var options = new LoadOptions
        {
            Daemon = daemon.Endpoint,
            Strategy = BufferStrategy.Batched,
            Scenario = Scenario.Paste,
            Chars = 10_000,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { Window = 100, BatchSize = 64 },
        };

        var run = new LoadRunner(options, PhaseSync.None).Run();

        Assert.True(run.Result.Integrity.IsIntact);
        Assert.Equal(10_000, run.Result.RttMicros.Count);
    }
}
