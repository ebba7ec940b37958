using System.Diagnostics;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Bench.Faults;
using RemoteLogin.Bench.Floor;
using RemoteLogin.Client.Load;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// Goes through the matrix in rounds, the configurations of each round in an order shuffled by the plan's seed. Each
/// server configuration gets a fresh daemon child process, and every scenario runs against it twice:
/// <list type="number">
/// <item>the <b>timed pass</b>, with nothing attached that slows the path (no perf, no metrics session, nothing
/// periodic): latency, throughput, CPU, context switches and allocations, the daemon's read from its own snapshot at
/// each edge, with the floors measured right before and right after it;</item>
/// <item>the <b>counted pass</b>, with perf counting both sides' system calls and the daemon's meter read over
/// EventPipe: the counts that need them, and a latency kept only to show what watching costs.</item>
/// </list>
/// </summary>
public sealed class MatrixRunner(BenchPlan plan, string outputDirectory)
{
    private static readonly TimeSpan CounterTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Which echo byte of the first session the fault drops: within the shortest run of any scenario (warm-up counts too).</summary>
    private const long DroppedByte = 100;

    public void Run(Action<string> starting, Action<RoundRun> finished)
    {
        var positions = new Dictionary<int, int>();
        foreach (var daemonRun in plan.Schedule())
        {
            var (round, strategy, subdaemon, protocol) = (daemonRun.Round, daemonRun.Strategy, daemonRun.Subdaemon, daemonRun.Protocol);
            using var daemon = DaemonProcess.Start(
                ["--echo", strategy.Name(), "--subdaemon", subdaemon.Name(), "--protocol", protocol.Name()], plan.RuntimeSwitches,
                controlStdin: true, configure: info => plan.Placement.Apply(info, PlacementSide.Daemon));
            foreach (var scenario in daemonRun.Scenarios)
            {
                starting($"round {round}/{plan.Rounds}: {scenario.Name()} {strategy.Name()} {subdaemon.Name()} {protocol.Name()}");
                int position = positions[round] = positions.GetValueOrDefault(round) + 1;
                finished(Measure(daemon, new Configuration(scenario, strategy, subdaemon, protocol), round, position));
            }
            int exitCode = daemon.Stop(TimeSpan.FromSeconds(30));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"the daemon exited with {exitCode} after SIGTERM: {daemon.StandardErrorAfterExit()}");
            }
        }
    }

    private sealed record Configuration(Scenario Scenario, BufferStrategy Strategy, SubdaemonModel Subdaemon, WireProtocol Protocol)
    {
        public string Stem(int round) => $"{Scenario.Name()}-{Strategy.Name()}-{Subdaemon.Name()}-{Protocol.Name()}-r{round}";
    }

    private RoundRun Measure(DaemonProcess daemon, Configuration configuration, int round, int position)
    {
        string stem = configuration.Stem(round);
        var before = MeasureFloors(configuration.Scenario);
        using var fault = plan.DropByteInRound == round ? new DroppingRelay(daemon.Endpoint, DroppedByte) : null;
        var (timed, otherCpu) = TimedPass(daemon, Request(configuration, fault?.Endpoint ?? daemon.Endpoint, stem, round));
        var after = MeasureFloors(configuration.Scenario);
        var counted = CountedPass(daemon, Request(configuration, daemon.Endpoint, stem + "-counted", round) with { CountSyscalls = plan.CountSyscalls });

        string[] failures = [.. timed.Failures ?? [], .. (counted.Result.Failures ?? []).Select(f => $"counted pass: {f}")];
        var result = timed with
        {
            Client = timed.Client with { Syscalls = counted.Result.Client.Syscalls },
            Server = timed.Server! with { Syscalls = counted.DaemonSyscalls },
            ServerMeter = counted.Meter,
            ServerTimeSeries = counted.TimeSeries,
            CountedPass = new CountedPass(counted.Result.RttMicros, counted.Result.CharsPerSecond, counted.Result.Integrity, counted.Result.HistogramLog),
            Failures = failures.Length > 0 ? failures : null,
        };
        foreach (var (name, value) in plan.RuntimeSwitches)
        {
            result.Settings[name] = value; // the table names every switch, those the client does not know of too
        }
        return new RoundRun(round, position, result, before, after, otherCpu);
    }

    private ClientProcess.Request Request(Configuration configuration, System.Net.IPEndPoint endpoint, string stem, int round) => new(
        endpoint, configuration.Scenario, configuration.Strategy, configuration.Subdaemon, configuration.Protocol,
        plan.SizeOf(configuration.Scenario, configuration.Strategy),
        Path.Combine(outputDirectory, "runs", stem + ".json"), Path.Combine(outputDirectory, stem + ".hlog"), plan.RuntimeSwitches)
    {
        // Every round types a text of its own, the same again for the same seed.
        TextSeed = unchecked(plan.Seed + round),
        Configure = info => plan.Placement.Apply(info, PlacementSide.Client),
    };

    /// <summary>
    /// The floors right beside a run, each in a fresh process: the blocking and spin round trips beside a round trip
    /// (no spin floor where client and daemon share one core: two spinners there measure the scheduler), the stream
    /// beside a paste.
    /// </summary>
    private List<FloorMeasurement> MeasureFloors(Scenario scenario)
    {
        var pins = new FloorPins(plan.Placement.CpuFor(PlacementSide.FloorPing), plan.Placement.CpuFor(PlacementSide.FloorEcho));
        List<FloorMeasurement> floors = [FloorProcess.Measure(FloorKind.Blocking, plan.FloorRoundTrips, pins)];
        if (scenario == Scenario.Paste)
        {
            floors.Add(FloorProcess.Measure(FloorKind.Stream, plan.StreamFloorBytes, pins));
        }
        else if (plan.Placement != CpuPlacement.Same)
        {
            floors.Add(FloorProcess.Measure(FloorKind.Spin, plan.FloorRoundTrips, pins));
        }
        return floors;
    }

    /// <summary>
    /// The run as it is timed: no perf and no metrics session; the daemon reads itself at each edge on request, twice
    /// back to back at the first, so what a reading allocates is known (the resolution of the allocation figure).
    /// </summary>
    private (RunResult Result, double? OtherCpuPercent) TimedPass(DaemonProcess daemon, ClientProcess.Request request)
    {
        DaemonSnapshot? first = null, start = null, end = null;
        OtherProcessesCpu? others = null;
        double? otherCpu = null;
        var result = ClientProcess.Run(request, edge =>
        {
            if (edge == PhaseSync.WarmedUp)
            {
                first = daemon.Snapshot(SnapshotTimeout);
                start = daemon.Snapshot(SnapshotTimeout);
                others = OtherProcessesCpu.Start();
            }
            else
            {
                otherCpu = others!.Stop();
                end = daemon.Snapshot(SnapshotTimeout);
            }
        });
        return (result with
        {
            Server = DaemonSnapshot.ServerCost(start!, end!),
            ServerSubdaemons = request.Subdaemon is SubdaemonModel.Process or SubdaemonModel.Relay ? DaemonSnapshot.SubdaemonsCost(start!, end!) : null,
            ServerEcho = DaemonSnapshot.EchoBetween(start!, end!),
            AllocatedBytesPerChar = AllocationPerCharOf(result, DaemonSnapshot.ServerCost(first!, start!).AllocatedBytes, DaemonSnapshot.ServerCost(start!, end!)),
        }, otherCpu);
    }

    /// <summary>
    /// Bytes per character on each side, each with its resolution: what one edge reading allocates, or one byte, over
    /// the characters measured. Below it, a figure is indistinguishable from zero.
    /// </summary>
    private static AllocationPerChar? AllocationPerCharOf(RunResult result, long serverNoiseBytes, ProcessCounters server)
    {
        if (result.Chars == 0)
        {
            return null;
        }
        PerCharBound Bound(long bytes, long noise) => new((double)bytes / result.Chars, Math.Max(1, Math.Abs(noise)) / (double)result.Chars);
        return new AllocationPerChar(Bound(result.Client.AllocatedBytes, result.ClientAllocationNoiseBytes ?? 0), Bound(server.AllocatedBytes, serverNoiseBytes));
    }

    /// <summary>The counted pass's figures: the client's own result and the daemon's counts between the same two edges.</summary>
    private sealed record Counted(RunResult Result, long? DaemonSyscalls, Dictionary<string, double> Meter, CounterTimeSeries TimeSeries);

    /// <summary>
    /// The run again with everything attached that counts: perf on both sides (attached to the daemon before the client
    /// starts, so every thread and child it starts is counted) and the daemon's metrics session, in dotnet-counters'
    /// shared session and interval so a user can watch the same daemon while the bench runs.
    /// </summary>
    private static Counted CountedPass(DaemonProcess daemon, ClientProcess.Request request)
    {
        using var counters = new DaemonCounters(
            daemon.ProcessId, DaemonCounters.DotnetCountersRefreshInterval, MeterSnapshot.Meters, MeterSnapshot.EventCounterSources);
        using var syscalls = request.CountSyscalls ? PerfSyscalls.Attach(daemon.ProcessId) : null;
        // Nothing is in flight at either edge, so the first snapshot read after it holds exact totals.
        MeterSnapshot? before = null, after = null;
        var result = ClientProcess.Run(request, edge =>
        {
            if (edge == PhaseSync.WarmedUp)
            {
                before = counters.NextAfter(DateTime.UtcNow, CounterTimeout);
                syscalls?.Enable();
            }
            else
            {
                syscalls?.Disable();
                after = counters.NextAfter(DateTime.UtcNow, CounterTimeout);
            }
        });
        return new Counted(result, syscalls?.Count(), MeterSnapshot.ServerMeterDeltas(before!, after!), MeterSnapshot.TimeSeries(counters.Between(before!, after!)));
    }
}
