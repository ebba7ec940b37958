using RemoteLogin.Client.Load;
using RemoteLogin.Client.Strategies;
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
        using var server = new FaultyEchoServer(dropAt: 1_000, duplicateAt: 2_000, corruptAt: 3_000);
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Strategy = strategy,
            Scenario = Scenario.Paste,
            Chars = 5_000,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = TimeSpan.FromSeconds(2) },
        };

        var integrity = new LoadRunner(options, PhaseSync.None).Run().Result.Integrity;

        Assert.Equal(1, integrity.Lost);
        Assert.Equal(1, integrity.Duplicated);
        Assert.Equal(1, integrity.Corrupted);
    }

    [Fact]
    public void A_lost_echo_in_the_closed_loop_counts_once_the_echo_timeout_passes()
    {
        using var server = new FaultyEchoServer(dropAt: 20);
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Scenario = Scenario.Interactive,
            Chars = 50,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = TimeSpan.FromMilliseconds(300) },
        };

        var run = new LoadRunner(options, PhaseSync.None).Run().Result;

        Assert.Equal(1, run.Integrity.Lost);
        Assert.Equal(0, run.Integrity.Duplicated);
        Assert.Equal(0, run.Integrity.Corrupted);
        Assert.Equal(49, run.RttMicros.Count);
    }

    [Fact]
    public async Task The_client_exits_with_1_when_echoes_do_not_match()
    {
        using var server = new FaultyEchoServer(corruptAt: 500);

        var outcome = await ChildProgram.RunAsync("RemoteLogin.Client", "load", "--port", server.Endpoint.Port.ToString(),
            "--scenario", "paste", "--strategy", "pipelined", "--chars", "2000", "--warmup", "0");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("corrupted 1", outcome.StandardOutput);
    }
}
