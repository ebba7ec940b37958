using RemoteLogin.Bench.Reports;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>Where a paste's time goes: each side's counters per character, and an empty cell, never a guess, where a figure is missing.</summary>
public class PasteTimeTests
{
    [Fact]
    public void Each_side_s_counters_are_divided_by_the_characters_and_the_check_is_taken_out_of_the_client_s_user_time()
    {
        var time = PasteTime.Of(Paste(clientCheckMicros: 1_500))!;

        Assert.Equal(50, time.WallNanos);
        Assert.Equal(100, time.ClientCpuNanos);
        Assert.Equal(90, time.DaemonCpuNanos);
        Assert.Equal(15, time.ClientCheckNanos);
        Assert.Equal(25, time.ClientUserOtherNanos);
        Assert.Equal(60, time.ClientSystemNanos);
        Assert.Equal(20, time.DaemonUserNanos);
        Assert.Equal(70, time.DaemonSystemNanos);
        Assert.Equal(0.5, time.ClientSyscalls);
        Assert.Equal(0.25, time.DaemonSyscalls);
        Assert.Equal(["50.0", "100", "15.0", "25.0", "60.0", "90.0", "20.0", "70.0", "0.500", "0.250"], Cells(Paste(clientCheckMicros: 1_500)));
    }

    [Fact]
    public void A_client_that_writes_no_check_time_leaves_the_check_and_the_rest_of_its_user_time_empty()
    {
        Assert.Equal(["50.0", "100", "", "", "60.0", "90.0", "20.0", "70.0", "0.500", "0.250"], Cells(Paste(clientCheckMicros: null)));
        // A check clocked longer than the CPU the client was charged cannot be taken out of it.
        Assert.Null(PasteTime.Of(Paste(clientCheckMicros: 5_000))!.ClientUserOtherNanos);
        // Without perf or the daemon's readings, their cells are empty too.
        var bare = Paste(clientCheckMicros: 1_500) with { Server = null, Client = new ProcessCounters(1, 1, 4_000, 6_000, 0, 0) };
        Assert.Equal(["50.0", "100", "15.0", "25.0", "60.0", "", "", "", "", ""], Cells(bare));
        // The daemon's edge readings, less the cost of answering them, can come out below zero: no figure, not a negative one.
        var below = Paste(clientCheckMicros: 1_500) with { Server = new ProcessCounters(1, 1, -53, 7_000, 0, 0) };
        Assert.Equal(["", "70.0"], new[] { Cells(below)[6], Cells(below)[7] });
        Assert.Equal("69.5", Cells(below)[5]); // the total, exact, stands: only the split came out below zero
    }

    [Fact]
    public void Only_pastes_have_a_row()
    {
        var interactive = Paste(clientCheckMicros: 1_500) with { Scenario = Scenario.Interactive };

        Assert.Null(PasteTime.Of(interactive));
        Assert.Single(PasteTime.Rows([interactive, Paste(clientCheckMicros: null)]));
    }

    private static string[] Cells(RunResult run) => [.. PasteTime.Columns.Where(c => c.Numeric).Select(c => c.Format(run))];

    /// <summary>100,000 characters at 20 M chars/s; the client 4 ms user and 6 ms system, the daemon 2 ms and 7 ms.</summary>
    private static RunResult Paste(double? clientCheckMicros) => new()
    {
        Scenario = Scenario.Paste,
        Strategy = BufferStrategy.Pipelined,
        ClientStrategy = BufferStrategy.Zerocopy,
        Subdaemon = SubdaemonModel.Task,
        Protocol = WireProtocol.Raw,
        Sessions = 1,
        Chars = 100_000,
        ElapsedSeconds = 0.005,
        CharsPerSecond = 2e7,
        RttMicros = new LatencySummary(1, 1, 1, 1, 1, 1, 1, 1000),
        Integrity = new IntegrityCounts(0, 0, 0),
        Client = new ProcessCounters(1, 1, 4_000, 6_000, 0, 0, Syscalls: 50_000),
        ClientCheckMicros = clientCheckMicros,
        Server = new ProcessCounters(1, 1, 2_000, 7_000, 0, 0, Syscalls: 25_000),
        System = new SystemCounters(0, 0, 0),
    };
}
