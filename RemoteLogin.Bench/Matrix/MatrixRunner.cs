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
/// measured right before each run, and every scenario runs against it with the daemon's counters read over EventPipe
/// and, where perf can, both sides' system calls counted.
/// </summary>
public sealed class MatrixRunner(BenchPlan plan, string outputDirectory)
{
    private static readonly TimeSpan CounterTimeout = TimeSpan.FromSeconds(15);

    public List<RoundRun> Run(Action<string> starting, Action<RoundRun> finished)
    {
        var runs = new List<RoundRun>();
        // Watching a daemon costs what it publishes, the same whatever its sessions echo and how: measured once per
        // subdaemon model (whose daemon reports for its children too), after the first daemon's runs.
        var idleByModel = new Dictionary<SubdaemonModel, ProcessCounters>();
        for (int round = 1; round <= plan.Rounds; round++)
        {
            foreach (var (strategy, subdaemon, protocol) in plan.ServerConfigurations)
            {
                using var daemon = DaemonProcess.Start(
                    ["--echo", strategy.Name(), "--subdaemon", subdaemon.Name(), "--protocol", protocol.Name()], plan.RuntimeSwitches);
                // dotnet-counters' interval, so that a user can watch the daemon in the same session while the bench runs.
                using (var counters = new DaemonCounters(
                    daemon.ProcessId, DaemonCounters.DotnetCountersRefreshInterval, MeterSnapshot.Meters, MeterSnapshot.EventCounterSources))
                {
                    var measured = new List<Measured>();
                    foreach (var scenario in plan.ScenariosUnder(subdaemon, protocol))
                    {
                        starting($"round {round}/{plan.Rounds}: {scenario.Name()} {strategy.Name()} {subdaemon.Name()} {protocol.Name()}");
                        measured.Add(Measure(daemon, counters, scenario, strategy, subdaemon, protocol, round));
                    }
                    if (!idleByModel.TryGetValue(subdaemon, out var idle))
                    {
                        idle = idleByModel[subdaemon] = MeasureIdle(daemon, counters);
                    }
                    foreach (var run in measured)
                    {
                        var done = new RoundRun(round, Complete(run, idle, counters, round), run.Floor);
                        runs.Add(done);
                        finished(done);
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

    /// <summary>A run as measured: the client's result, the daemon's counters at its edges and its system calls between them.</summary>
    private sealed record Measured(
        RunResult Result, LatencySummary Floor, MeterSnapshot Before, MeterSnapshot After, long? DaemonSyscalls, DateTime CountedFrom, DateTime CountedTo,
        string HistogramLog);

    private Measured Measure(DaemonProcess daemon, DaemonCounters counters, Scenario scenario, BufferStrategy strategy,
        SubdaemonModel subdaemon, WireProtocol protocol, int round)
    {
        string stem = $"{scenario.Name()}-{strategy.Name()}-{subdaemon.Name()}-{protocol.Name()}-r{round}";
        var request = new ClientProcess.Request(
            daemon.Endpoint, scenario, strategy, subdaemon, protocol, plan.SizeOf(scenario, strategy),
            Path.Combine(outputDirectory, "runs", stem + ".json"), Path.Combine(outputDirectory, stem + ".hlog"), plan.RuntimeSwitches,
            plan.CountSyscalls);
        Directory.CreateDirectory(Path.GetDirectoryName(request.JsonPath)!);

        // Attached before the client starts, so that every thread and child the daemon starts for it is counted.
        using var syscalls = plan.CountSyscalls ? PerfSyscalls.Attach(daemon.ProcessId) : null;
        // The floor right beside the run it is compared with (these machines drift within minutes), and under the same
        // perf: its tracepoint, once open, costs every system call on the machine a little, counted or not.
        var floor = PingPongFloor.Measure(plan.FloorRoundTrips);
        // Nothing is in flight at either edge, so the first snapshot read after it holds exact totals.
        MeterSnapshot? before = null, after = null;
        DateTime countedFrom = default, countedTo = default;
        var result = ClientProcess.Run(request, edge =>
        {
            if (edge == PhaseSync.WarmedUp)
            {
                before = counters.NextAfter(DateTime.UtcNow, CounterTimeout);
                syscalls?.Enable();
                countedFrom = DateTime.UtcNow;
            }
            else
            {
                syscalls?.Disable();
                countedTo = DateTime.UtcNow;
                after = counters.NextAfter(countedTo, CounterTimeout);
            }
        });
        return new Measured(result, floor, before!, after!, syscalls?.Count(), countedFrom, countedTo, Path.GetFileName(request.HlogPath));
    }

    /// <summary>
    /// One interval of the daemon idle, after its last run (its children gone): what watching it costs, and whatever
    /// else it does when nobody types. The runtime keeps compiling what the run made hot for a second or two, and
    /// that is not the watching's cost: the first interval after the run is skipped and the smallest of the next three
    /// taken (of system calls, the smaller of two: perf counts the first and the third). The daemon's part only:
    /// children leave their metering out at the source.
    /// </summary>
    private ProcessCounters MeasureIdle(DaemonProcess daemon, DaemonCounters counters)
    {
        var settling = counters.NextAfter(DateTime.UtcNow, CounterTimeout);
        var (first, firstEnd, firstSyscalls) = IdleInterval(daemon, counters, settling);
        var (_, last, secondSyscalls) = IdleInterval(daemon, counters, firstEnd);
        var idle = counters.Between(first, last);
        // Consecutive snapshots hold one collection each (NextAfter may step over one whose EventCounters lagged).
        var perInterval = idle.Skip(1).Zip(idle, (end, start) => MeterSnapshot.ServerCost(start, end, "daemon")).Aggregate(ProcessCounters.Min);
        return perInterval with
        {
            Syscalls = new[] { firstSyscalls, secondSyscalls }.Min(), // of those perf could count; null if neither
            Copied = default(CopiedBytes), // watching copies no echo
        };
    }

    /// <summary>From <paramref name="after"/> to the next snapshot, with perf counting the daemon's system calls per collection in between.</summary>
    private (MeterSnapshot Start, MeterSnapshot End, long? SyscallsPerCollection) IdleInterval(DaemonProcess daemon, DaemonCounters counters, MeterSnapshot after)
    {
        using var syscalls = plan.CountSyscalls ? PerfSyscalls.Attach(daemon.ProcessId) : null;
        var start = counters.NextAfter(after.IntervalEnd, CounterTimeout);
        syscalls?.Enable();
        var enabledAt = DateTime.UtcNow;
        var end = counters.NextAfter(start.IntervalEnd, CounterTimeout);
        syscalls?.Disable();
        int collections = MeterSnapshot.CollectionsWithin(counters.Between(start, end), enabledAt, DateTime.UtcNow);
        return (start, end, syscalls?.Count() / Math.Max(1, collections));
    }

    private RunResult Complete(Measured run, ProcessCounters idle, DaemonCounters counters, int round)
    {
        var measured = counters.Between(run.Before, run.After);
        var metering = MeterSnapshot.Metering(idle, measured.Count - 1, MeterSnapshot.CollectionsWithin(measured, run.CountedFrom, run.CountedTo));
        var result = run.Result;
        foreach (var (name, value) in plan.RuntimeSwitches)
        {
            result.Settings[name] = value; // the table names every switch, those the client does not know of too
        }
        return result with
        {
            Server = (MeterSnapshot.ServerCost(run.Before, run.After) with { Syscalls = run.DaemonSyscalls }) - metering.Cost,
            // The children's metering is left out at the source (they and the daemon subtract what reporting costs them).
            ServerSubdaemons = result.Subdaemon is SubdaemonModel.Process or SubdaemonModel.Relay ? MeterSnapshot.ServerCost(run.Before, run.After, "subdaemons") : null,
            ServerMetering = metering,
            ServerMeter = MeterSnapshot.ServerMeterDeltas(run.Before, run.After),
            ServerTimeSeries = MeterSnapshot.TimeSeries(measured),
            FloorP50Micros = run.Floor.P50,
            Round = round,
            Rounds = plan.Rounds,
            HistogramLog = run.HistogramLog,
        };
    }
}
