using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Bench.Faults;
using RemoteLogin.Bench.Floor;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Client.Load;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// Goes through the matrix in rounds, the configurations of each round in an order shuffled by the plan's seed. Each
/// server configuration gets a fresh daemon child process (on the daemon's host), and every scenario runs against it
/// twice:
/// <list type="number">
/// <item>the <b>timed pass</b>, with nothing attached that slows the path (no perf, no metrics session, nothing
/// periodic): latency, throughput, CPU, context switches and allocations, the daemon's read from its own snapshot at
/// each edge (and, on a lab host, that host's kernel counters), with the floors measured right before and right after it;</item>
/// <item>the <b>counted pass</b>, with perf counting both sides' system calls and the daemon's meter read over
/// EventPipe, on the daemon's own host: the counts that need them, and a latency kept only to show what watching costs.</item>
/// </list>
/// </summary>
internal sealed class MatrixRunner(BenchPlan plan, string outputDirectory, BenchHosts hosts)
{
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
                ["--echo", strategy.Name(), "--subdaemon", subdaemon.Name(), "--protocol", protocol.Name(), .. plan.DaemonLimits], plan.RuntimeSwitches,
                controlStdin: true, configure: info => plan.Placement.Apply(info, PlacementSide.Daemon),
                host: hosts.Daemon.Programs, listenAddress: hosts.Daemon.ListenAddress);
            foreach (var scenario in daemonRun.Scenarios)
            {
                var configuration = new Configuration(scenario, strategy, plan.ClientFor(strategy), subdaemon, protocol);
                starting($"round {round}/{plan.Rounds}: {scenario.Name()} {configuration.Strategies} {subdaemon.Name()} {protocol.Name()}");
                int position = positions[round] = positions.GetValueOrDefault(round) + 1;
                finished(WhileAlive(daemon, () => Measure(daemon, configuration, round, position)));
            }
            int exitCode = daemon.Stop(TimeSpan.FromSeconds(30));
            if (exitCode != 0)
            {
                string where = hosts.Daemon.IsLocal ? "" : $" on {hosts.Daemon.Programs.Name}";
                throw new InvalidOperationException($"the daemon{where} exited with {exitCode} after SIGTERM: {daemon.StandardErrorAfterExit()}");
            }
        }
    }

    /// <summary>
    /// A measurement that failed because its daemon died (a client that found nobody to connect to, a floor on a host
    /// whose daemon crashed it) says so: the daemon, its host, how it exited and its last words, not the symptom.
    /// </summary>
    private static RoundRun WhileAlive(DaemonProcess daemon, Func<RoundRun> measure)
    {
        try
        {
            return measure();
        }
        catch (Exception e) when (e is not DaemonGoneException && e is InvalidOperationException or TimeoutException or IOException or HostException
            && daemon.HasExited)
        {
            throw new DaemonGoneException(daemon.WhyGone($"during the run ({e.Message})"), e);
        }
    }

    /// <summary>One run's configuration: <paramref name="Strategy"/> is the daemon's echo, <paramref name="ClientStrategy"/> the load client's.</summary>
    private sealed record Configuration(Scenario Scenario, BufferStrategy Strategy, BufferStrategy ClientStrategy, SubdaemonModel Subdaemon, WireProtocol Protocol)
    {
        /// <summary>"pipelined", or "pipelined (client zerocopy)" where the client runs another strategy.</summary>
        public string Strategies => RunColumns.Strategies(Strategy, ClientStrategy);

        /// <summary>The run's files; a client held to another strategy is in the name, so such runs never share a file with the default's.</summary>
        public string Stem(int round) =>
            $"{Scenario.Name()}-{Strategy.Name()}{(ClientStrategy == Strategy ? "" : "-client-" + ClientStrategy.Name())}-{Subdaemon.Name()}-{Protocol.Name()}-r{round}";
    }

    private RoundRun Measure(DaemonProcess daemon, Configuration configuration, int round, int position)
    {
        string stem = configuration.Stem(round);
        var before = MeasureFloors(configuration.Scenario);
        using var concentrator = configuration.Scenario == Scenario.Concentrator ? StartConcentrator(daemon) : null;
        var target = concentrator?.Endpoint ?? daemon.Endpoint; // where the terminals connect
        using var fault = plan.DropByteInRound == round ? new DroppingRelay(target, DroppedByte) : null;
        var (timed, otherCpu, daemonHostCpu) = TimedPass(daemon, Clients(configuration, fault?.Endpoint ?? target, stem, round, countSyscalls: false), concentrator);
        var after = MeasureFloors(configuration.Scenario);
        var counted = CountedPass(daemon, Clients(configuration, target, stem + "-counted", round, plan.CountSyscalls));
        concentrator?.Stop(TimeSpan.FromSeconds(30));

        string[] failures = [.. timed.Failures ?? [], .. (counted.Result.Failures ?? []).Select(f => $"counted pass: {f}")];
        var result = timed with
        {
            // The client's document names what it did on its own connections; the run's scenario and protocol are the
            // configuration's (the concentrator's terminals type as typists, in raw, to a mux daemon), and its
            // "strategy" is the daemon's echo, whatever the client typed with.
            Scenario = configuration.Scenario,
            Protocol = configuration.Protocol,
            Strategy = configuration.Strategy,
            ClientStrategy = configuration.ClientStrategy,
            Client = timed.Client with { Syscalls = counted.Result.Client.Syscalls },
            Server = timed.Server! with { Syscalls = counted.Daemon.Syscalls },
            ServerMeter = counted.Daemon.Meter,
            ServerTimeSeries = counted.Daemon.TimeSeries,
            CountedPass = new CountedPass(counted.Result.RttMicros, counted.Result.CharsPerSecond, counted.Result.Integrity, counted.Result.HistogramLog),
            Failures = failures.Length > 0 ? failures : null,
        };
        foreach (var (name, value) in plan.RuntimeSwitches)
        {
            result.Settings[name] = value; // the table names every switch, those the client does not know of too
        }
        if (concentrator is not null)
        {
            result.Settings["flushDelayMs"] = plan.FlushDelayMs.ToString(CultureInfo.InvariantCulture);
        }
        return new RoundRun(round, position, result, before, after, otherCpu, daemonHostCpu);
    }

    /// <summary>
    /// The concentrator scenario's front-end processor, on the first load host with its terminals, in front of the
    /// mux daemon, with the daemon's runtime switches (it is part of what is measured). Not pinned: it sits between
    /// the client's CPU and the daemon's.
    /// </summary>
    private ConcentratorProcess StartConcentrator(DaemonProcess daemon) => ConcentratorProcess.Start(
        daemon.Endpoint, ["--flush-delay", plan.FlushDelayMs.ToString(CultureInfo.InvariantCulture)], plan.RuntimeSwitches, hosts.Loads[0].Programs);

    /// <summary>
    /// The load of one pass: one client on the first load host, or, for the typists, one on each load host with its
    /// share of the sessions (the first host takes what does not divide), each typing a text of its own. The
    /// concentrator's terminals are typists in raw, all on the first load host with their concentrator.
    /// </summary>
    private Load Clients(Configuration configuration, IPEndPoint endpoint, string stem, int round, bool countSyscalls)
    {
        var (scenario, protocol) = configuration.Scenario == Scenario.Concentrator
            ? (Scenario.Typists, WireProtocol.Raw)
            : (configuration.Scenario, configuration.Protocol);
        var size = plan.SizeOf(configuration.Scenario, configuration.Strategy, configuration.ClientStrategy);
        var loads = configuration.Scenario == Scenario.Typists ? hosts.Loads.Take(size.Sessions).ToList() : [hosts.Loads[0]];
        var clients = new List<(ClientProcess.Request, LoadSide)>();
        for (int i = 0; i < loads.Count; i++)
        {
            int sessions = size.Sessions / loads.Count + (i == 0 ? size.Sessions % loads.Count : 0);
            var share = loads.Count == 1 ? size : size with
            {
                Sessions = sessions,
                Chars = size.Chars / size.Sessions * sessions,
                WarmupChars = size.WarmupChars / size.Sessions * sessions,
            };
            string part = loads.Count == 1 ? stem : $"{stem}-h{i + 1}";
            clients.Add((new ClientProcess.Request(
                endpoint, scenario, configuration.ClientStrategy, configuration.Subdaemon, protocol, share,
                Path.Combine(outputDirectory, "runs", part + ".json"), Path.Combine(outputDirectory, part + ".hlog"), plan.ClientSwitches, countSyscalls)
            {
                // Every round types a text of its own, the same again for the same seed; so does every load host.
                TextSeed = unchecked(plan.Seed + round + 7919 * i),
                Configure = info => plan.Placement.Apply(info, PlacementSide.Client),
            }, loads[i]));
        }
        return new Load(clients, Path.Combine(outputDirectory, stem + ".hlog"));
    }

    /// <summary>A pass's clients, one per load host, and where the run's own histogram log goes when they are merged.</summary>
    private sealed record Load(IReadOnlyList<(ClientProcess.Request Request, LoadSide Host)> Clients, string MergedHlogPath)
    {
        public SubdaemonModel Subdaemon => Clients[0].Request.Subdaemon;
    }

    /// <summary>Run the clients on one barrier; several hosts' results become one run, each host's kept in "hosts".</summary>
    private RunResult RunClients(Load load, Action<string> atEdge)
    {
        var results = ClientProcess.RunAll([.. load.Clients.Select(c => (c.Request, (IProgramHost)c.Host.Programs))], atEdge);
        if (results.Count == 1)
        {
            return results[0];
        }
        var parts = load.Clients.Zip(results, (client, result) => new LoadHostsMerge.Part(
            client.Host.Name, result, client.Request.HlogPath, Describe(client.Host))).ToList();
        return LoadHostsMerge.Merge(parts, load.MergedHlogPath);
    }

    /// <summary>A load host's description in results.json (null for the bench's own), as its programs ran there.</summary>
    private JsonElement? Describe(LoadSide host) => host.Description is { } description
        ? JsonSerializer.SerializeToElement(description.WithSwitches(plan.RuntimeSwitches), ResultsJson.Options)
        : null;

    /// <summary>
    /// The floors right beside a run, each in a fresh process: the blocking and spin round trips beside a round trip
    /// (no spin floor where client and daemon share one core: two spinners there measure the scheduler), the stream
    /// beside a paste.
    /// </summary>
    private List<FloorMeasurement> MeasureFloors(Scenario scenario)
    {
        var pins = new FloorPins(plan.Placement.CpuFor(PlacementSide.FloorPing), plan.Placement.CpuFor(PlacementSide.FloorEcho));
        var ping = hosts.Loads[0].Programs;
        // Over the keystrokes' own path: the echo on the daemon's host, the ping from the first load host.
        FloorMeasurement Floor(FloorKind kind, long size) => hosts.Daemon.IsLocal && ping.IsLocal
            ? FloorProcess.Measure(kind, size, pins)
            : FloorProcess.MeasureAcross(kind, size, hosts.Daemon.Programs, hosts.Daemon.ListenAddress, ping);
        List<FloorMeasurement> floors = [Floor(FloorKind.Blocking, plan.FloorRoundTrips)];
        if (scenario == Scenario.Paste)
        {
            floors.Add(Floor(FloorKind.Stream, plan.StreamFloorBytes));
        }
        else if (plan.Placement != CpuPlacement.Same)
        {
            floors.Add(Floor(FloorKind.Spin, plan.FloorRoundTrips));
        }
        return floors;
    }

    /// <summary>
    /// The run as it is timed: no perf and no metrics session; the daemon reads itself at each edge on request, twice
    /// back to back at the first, so what a reading allocates is known (the resolution of the allocation figure). On
    /// a lab host its companion reads the host's kernel counters the same way, twice at the first edge.
    /// </summary>
    private (RunResult Result, double? OtherCpuPercent, double? DaemonHostOtherCpuPercent) TimedPass(DaemonProcess daemon, Load clients, ConcentratorProcess? concentrator)
    {
        DaemonSnapshot? first = null, start = null, end = null;
        ConcentratorCost.Reading? concentratorStart = null, concentratorEnd = null;
        HostSystemCounters? systemFirst = null, systemStart = null, systemEnd = null;
        var agent = hosts.Daemon.Agent;
        OtherProcessesCpu? others = null;
        double? otherCpu = null, daemonHostCpu = null;
        var result = RunClients(clients, edge =>
        {
            if (edge == PhaseSync.WarmedUp)
            {
                first = daemon.Snapshot(SnapshotTimeout);
                start = daemon.Snapshot(SnapshotTimeout);
                concentratorStart = concentrator?.Read();
                systemFirst = agent?.ReadSystem();
                systemStart = agent?.ReadSystem();
                agent?.WatchOthers(hosts.OurFolders);
                others = OtherProcessesCpu.Start(ourFolders: hosts.OurFolders);
            }
            else
            {
                otherCpu = others!.Stop();
                daemonHostCpu = agent?.OthersCpuPercent();
                systemEnd = agent?.ReadSystem();
                concentratorEnd = concentrator?.Read();
                end = daemon.Snapshot(SnapshotTimeout);
            }
        });
        var subdaemon = clients.Subdaemon;
        return (result with
        {
            Server = DaemonSnapshot.ServerCost(start!, end!),
            ServerSubdaemons = subdaemon is SubdaemonModel.Process or SubdaemonModel.Relay ? DaemonSnapshot.SubdaemonsCost(start!, end!) : null,
            ServerEcho = DaemonSnapshot.EchoBetween(start!, end!),
            Concentrator = concentratorEnd is not null && concentratorStart is not null ? concentratorEnd - concentratorStart : null,
            AllocatedBytesPerChar = AllocationPerCharOf(result, DaemonSnapshot.ServerCost(first!, start!).AllocatedBytes, DaemonSnapshot.ServerCost(start!, end!)),
            RemoteSystem = systemEnd is null ? null
                : Results.RemoteSystem.From(systemEnd - systemStart!, systemStart! - systemFirst!, hosts.Daemon.Interface, result.Chars),
        }, otherCpu, daemonHostCpu);
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
    private sealed record Counted(RunResult Result, CountedFigures Daemon);

    /// <summary>
    /// The run again with everything attached that counts, on the daemon's own host: perf (attached before the client
    /// starts, so every thread and child the daemon starts is counted) and the daemon's metrics session; and perf on
    /// a client on this machine.
    /// </summary>
    private Counted CountedPass(DaemonProcess daemon, Load clients)
    {
        bool daemonSyscalls = hosts.Daemon.IsLocal ? plan.CountSyscalls : plan.CountDaemonSyscalls;
        using var counting = hosts.Daemon.Agent?.StartCounting(daemon.ProcessId, daemonSyscalls) ?? DaemonCounting.Start(daemon.ProcessId, daemonSyscalls);
        var result = RunClients(clients, edge =>
        {
            if (edge == PhaseSync.WarmedUp)
            {
                counting.AtWarmedUp();
            }
            else
            {
                counting.AtMeasured();
            }
        });
        return new Counted(result, counting.Finish());
    }
}
