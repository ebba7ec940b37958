using RemoteLogin.Client.Load;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Integrity;

/// <summary>The client's echo check against a server that gets bytes wrong on purpose.</summary>
public class IntegrityCheckTests
{
    [Theory]
    [InlineData(BufferStrategy.Naive)]
    [InlineData(BufferStrategy.Batched)]
    [InlineData(BufferStrategy.Pipelined)]
    [InlineData(BufferStrategy.Zerocopy)]
    public void Catches_a_lost_a_duplicated_and_a_corrupted_byte(BufferStrategy strategy)
    {
        var integrity = Paste(strategy, new FaultyEchoServer.Faults { Drop = [1_000], Duplicate = [2_000], Corrupt = [3_000] });

        Assert.Equal(new IntegrityCounts(1, 1, 1), integrity);
    }

    [Fact]
    public void Several_lost_in_a_row_are_counted_as_lost_and_the_rest_still_matches()
    {
        var integrity = Paste(BufferStrategy.Pipelined, new FaultyEchoServer.Faults { Drop = [1_000, 1_001, 1_002, 1_003], Corrupt = [4_000] });

        Assert.Equal(new IntegrityCounts(4, 0, 1), integrity);
    }

    [Fact]
    public void A_lost_echo_in_the_closed_loop_counts_once_the_echo_timeout_passes()
    {
        var run = Interactive(new FaultyEchoServer.Faults { Drop = [20] }, echoTimeout: TimeSpan.FromSeconds(2));

        Assert.Equal(new IntegrityCounts(1, 0, 0), run.Integrity);
        Assert.Equal(49, run.RttMicros.Count);
    }

    [Fact]
    public void Echoes_that_come_after_their_timeout_are_lost_once_not_also_duplicated()
    {
        // The typist gives up on character 10 after a second and types on; what it types meanwhile queues behind
        // the held echo, so how many are given up depends on timing, but each is either lost or matched, once.
        var run = Interactive(
            new FaultyEchoServer.Faults { Hold = [10], HoldFor = TimeSpan.FromSeconds(3) },
            echoTimeout: TimeSpan.FromSeconds(1));

        Assert.InRange(run.Integrity.Lost, 1, 50);
        Assert.Equal(0, run.Integrity.Duplicated);
        Assert.Equal(0, run.Integrity.Corrupted);
        Assert.Equal(50, run.Integrity.Lost + run.RttMicros.Count);
    }

    [Fact]
    public void A_corrupted_byte_that_looks_like_a_later_character_is_still_corrupted()
    {
        // 0x20 flipped makes character 4000 equal character 4032 of the default text: one byte alone could be a gap of 32.
        var integrity = Paste(BufferStrategy.Naive, new FaultyEchoServer.Faults { Corrupt = [4_000] });

        Assert.Equal(new IntegrityCounts(0, 0, 1), integrity);
    }

    [Fact]
    public async Task The_client_exits_with_1_when_echoes_do_not_match()
    {
        using var server = new FaultyEchoServer(new FaultyEchoServer.Faults { Corrupt = [500] });

        var outcome = await ChildProgram.RunAsync("RemoteLogin.Client", "load", "--port", server.Endpoint.Port.ToString(),
            "--scenario", "paste", "--strategy", "pipelined", "--chars", "2000", "--warmup", "0");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("corrupted 1", outcome.StandardOutput);
    }

    private static IntegrityCounts Paste(BufferStrategy strategy, FaultyEchoServer.Faults faults)
    {
        using var server = new FaultyEchoServer(faults);
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Strategy = strategy,
            Scenario = Scenario.Paste,
            Chars = 5_000,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = TimeSpan.FromSeconds(2) },
        };
        return new LoadRunner(options, PhaseSync.None).Run().Result.Integrity;
    }

    private static RunResult Interactive(FaultyEchoServer.Faults faults, TimeSpan echoTimeout)
    {
        using var server = new FaultyEchoServer(faults);
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Scenario = Scenario.Interactive,
            Chars = 50,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = echoTimeout },
        };
        return new LoadRunner(options, PhaseSync.None).Run().Result;
    }
}
