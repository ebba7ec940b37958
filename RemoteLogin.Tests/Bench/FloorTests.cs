using RemoteLogin.Bench.Floor;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Bench;

/// <summary>The floors: each kind measures what its name says, in a fresh process as the bench runs it.</summary>
public class FloorTests
{
    [Theory]
    [InlineData("blocking")]
    [InlineData("spin")]
    public async Task A_ping_pong_floor_process_times_every_round_trip(string kind)
    {
        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", "floor", "--kind", kind, "--round-trips", "3000");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var floor = ResultsJson.Deserialize<FloorMeasurement>(outcome.StandardOutput);
        Assert.Equal(kind, floor.Kind.Name());
        Assert.Equal(3000, floor.RttMicros!.Count);
        Assert.True(floor.RttMicros.P50 > 0);
        Assert.True(floor.RttMicros.P50 <= floor.RttMicros.P99);
        Assert.Null(floor.CharsPerSecond);
    }

    [Fact]
    public async Task The_stream_floor_process_reports_characters_per_second()
    {
        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", "floor", "--kind", "stream", "--bytes", (16 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var floor = ResultsJson.Deserialize<FloorMeasurement>(outcome.StandardOutput);
        Assert.True(floor.CharsPerSecond > 0);
        Assert.Null(floor.RttMicros);
    }

    [Fact]
    public async Task A_floor_pinned_to_cpus_still_measures()
    {
        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", "floor", "--kind", "blocking", "--round-trips", "500", "--ping-cpu", "0", "--echo-cpu", "0");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Equal(500, ResultsJson.Deserialize<FloorMeasurement>(outcome.StandardOutput).RttMicros!.Count);
    }

    /// <summary>
    /// What tells the two floors apart is a count, not a time: the blocking ping sleeps in its receive (a voluntary
    /// context switch) for most round trips, the spinning ping never gives the CPU up of its own accord.
    /// </summary>
    [Fact]
    public void The_blocking_floor_sleeps_and_the_spin_floor_never_does()
    {
        const int roundTrips = 2000;
        long Voluntary() => ProcStatus.ReadNumbers("/proc/thread-self/status", "voluntary_ctxt_switches")![0];
        long Switches(FloorKind kind)
        {
            long before = 0;
            var thread = new Thread(() =>
            {
                before = Voluntary();
                PingPongFloor.Measure(kind, roundTrips, FloorPins.None, warmup: 0);
                before = Voluntary() - before;
            });
            thread.Start();
            thread.Join();
            return before;
        }

        Assert.True(Switches(FloorKind.Blocking) > roundTrips / 10);
        Assert.True(Switches(FloorKind.Spin) < roundTrips / 10);
    }
}
