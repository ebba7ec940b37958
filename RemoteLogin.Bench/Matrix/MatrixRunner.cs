using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Floor;
using RemoteLogin.Client.Load;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>One measured run of one round, with the floor measured beside it.</summary>
public sealed record RoundRun(int Round, RunResult Result, LatencySummary Floor)
{
    public double P50OverFloor => Floor.P50 > 0 ? Result.RttMicros.P50 / Floor.P50 : double.NaN;
}

/// <summary>
/// Goes through the matrix in rounds. Each server configuration gets a fresh daemon child process, the floor is
/// measured right before it, and every scenario runs against it with the daemon's counters read over EventPipe.
/// </summary>
public sealed class MatrixRunner(BenchPlan plan, string outputDirectory)
{
    /// <summary>How often the daemon publishes its counters; each run waits about three intervals for them.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(0.25);
    private static readonly TimeSpan CounterTimeout = TimeSpan.FromSeconds(15);

    public List<RoundRun> Run(Action<string> starting, Action<RoundRun> finished)
    {
        var runs = new List<RoundRun>();
        for (int round = 1; round <= plan.Rounds; round++)
        {
            foreach (var (strategy, subdaemon, protocol) in plan.ServerConfigurations)
            {
                using var daemon = DaemonProcess.Start(
                    ["--echo", strategy.Name(), "--subdaemon", subdaemon.Name(), "--protocol", protocol.Name()], plan.RuntimeSwitches);
                using (var counters = new DaemonCounters(daemon.ProcessId, RefreshInterval, MeterSnapshot.Subscriptions))
                {
                    foreach (var scenario in plan.ScenariosUnder(subdaemon, protocol))
                    {
                        starting($"round {round}/{plan.Rounds}: {scenario.Name()} {strategy.Name()} {subdaemon.Name()} {protocol.Name()}");
                        // The floor right beside the run it is compared with: these machines drift within minutes.
                        var floor = PingPongFloor.Measure(plan.FloorRoundTrips);
                        var run = new RoundRun(round, RunOne(daemon, counters, scenario, strategy, subdaemon, protocol, round, floor), floor);
                        runs.Add(run);
                        finished(run);
                    }
                }
                int exitCode = daemon.Stop(TimeSpan.FromSeconds(30));
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"the daemon exited with {exitCode} after SIGTERM: {daemon.StandardErrorAfterExit()}");
                }
            }
        }
        return runs;
    }

    private RunResult RunOne(DaemonProcess daemon, DaemonCounters counters, Scenario scenario, BufferStrategy strategy,
        SubdaemonModel subdaemon, WireProtocol protocol, int round, LatencySummary floor)
    {
        string stem = $"{scenario.Name()}-{strategy.Name()}-{subdaemon.Name()}-{protocol.Name()}-r{round}";
        var request = new ClientProcess.Request(
            daemon.Endpoint, scenario, strategy, subdaemon, protocol, plan.SizeOf(scenario, strategy),
            Path.Combine(outputDirectory, "runs", stem + ".json"), Path.Combine(outputDirectory, stem + ".hlog"), plan.RuntimeSwitches);
        Directory.CreateDirectory(Path.GetDirectoryName(request.JsonPath)!);

        // Nothing is in flight at either edge, so the first interval that ends after it holds exact totals.
        // One more interval is read at each edge, with the daemon idle and only its metering running.
        MeterSnapshot? idleBefore = null, before = null, after = null, idleAfter = null;
        var result = ClientProcess.Run(request, edge =>
        {
            if (edge == PhaseSync.WarmedUp)
            {
                idleBefore = counters.NextAfter(DateTime.UtcNow, CounterTimeout);
                before = counters.NextAfter(idleBefore.IntervalEnd, CounterTimeout);
            }
            else
            {
                after = counters.NextAfter(DateTime.UtcNow, CounterTimeout);
                idleAfter = counters.NextAfter(after.IntervalEnd, CounterTimeout);
            }
        });
        var metering = MeterSnapshot.Metering(idleBefore!, before!, after!, idleAfter!);
        foreach (var (name, value) in plan.RuntimeSwitches)
        {
            result.Settings[name] = value; // the table names every switch, those the client does not know of too
        }
        return result with
        {
            Server = MeterSnapshot.ServerCost(before!, after!) - metering.Cost,
            // The children's metering is left out at the source (they and the daemon subtract what reporting costs them).
            ServerSubdaemons = subdaemon is SubdaemonModel.Process or SubdaemonModel.Relay ? MeterSnapshot.ServerCost(before!, after!, "subdaemons") : null,
            ServerMetering = metering,
            ServerMeter = MeterSnapshot.ServerMeterDeltas(before!, after!),
            FloorP50Micros = floor.P50,
            Round = round,
            Rounds = plan.Rounds,
            HistogramLog = Path.GetFileName(request.HlogPath),
        };
    }
}
