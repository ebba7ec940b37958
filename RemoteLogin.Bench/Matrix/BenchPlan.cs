using System.Globalization;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>How much one scenario types in one run.</summary>
internal sealed record ScenarioSize(long Chars, long WarmupChars, int Sessions, double CharsPerSecond);

/// <summary>One daemon of the schedule: a server configuration in one round, and its scenarios in the order they run.</summary>
internal sealed record ScheduledDaemon(int Round, BufferStrategy Strategy, SubdaemonModel Subdaemon, WireProtocol Protocol, IReadOnlyList<Scenario> Scenarios);

/// <summary>What the bench runs: server configurations × scenarios, in rounds, and how big each run is.</summary>
internal sealed record BenchPlan
{
    public required IReadOnlyList<BufferStrategy> Strategies { get; init; }
    public required IReadOnlyList<SubdaemonModel> Subdaemons { get; init; }
    public required IReadOnlyList<WireProtocol> Protocols { get; init; }
    public required IReadOnlyList<Scenario> Scenarios { get; init; }
    public required int Rounds { get; init; }
    public required bool Quick { get; init; }
    public required int FloorRoundTrips { get; init; }
    /// <summary>Environment given to the daemon and the client, e.g. DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS.</summary>
    public required IReadOnlyDictionary<string, string> RuntimeSwitches { get; init; }

    /// <summary>Where the load clients run their socket continuations: a setting of the load generator, not of the daemon measured.</summary>
    public ClientCompletions ClientCompletions { get; init; } = ClientCompletions.Inline;

    /// <summary>The load clients' environment: <see cref="RuntimeSwitches"/>, and inline socket completions unless <see cref="ClientCompletions"/> says pool.</summary>
    public IReadOnlyDictionary<string, string> ClientSwitches => ClientCompletions == ClientCompletions.Inline
        ? new Dictionary<string, string>(RuntimeSwitches) { [Measurement.RuntimeSwitches.InlineSocketCompletions] = "1" }
        : RuntimeSwitches;

    /// <summary>Orders the configurations within each round (shuffled anew every round); the same seed repeats the order.</summary>
    public required int Seed { get; init; }

    /// <summary>
    /// The strategy every load client runs whatever the daemon's echo (<c>--client-strategy</c>), so that a row measures
    /// the daemon's strategy alone; null: each client runs its row's strategy, the same at both ends.
    /// </summary>
    public BufferStrategy? ClientStrategy { get; init; }

    /// <summary>The strategy the load client runs against a daemon echoing with <paramref name="echo"/>.</summary>
    public BufferStrategy ClientFor(BufferStrategy echo) => ClientStrategy ?? echo;

    /// <summary>Where client, daemon and the floors' two threads run.</summary>
    public CpuPlacement Placement { get; init; } = CpuPlacement.Default;

    /// <summary>Whether the bench holds the CPUs out of deep idle states while it runs.</summary>
    public CpuIdle CpuIdle { get; init; } = CpuIdle.Default;

    /// <summary>Bytes the stream floor echoes and times.</summary>
    public long StreamFloorBytes { get; init; } = 256L << 20;

    /// <summary>Testing the bench itself: the round in which one echoed byte is dropped on its way to the client.</summary>
    public int? DropByteInRound { get; init; }

    /// <summary>Whether perf counts every run's system calls on both sides (<see cref="Counters.PerfSyscalls"/>); when it cannot, the fields stay null.</summary>
    public bool CountSyscalls { get; init; }

    /// <summary>Whether perf counts the daemon's system calls on its lab host (asked there); the one-host run goes by <see cref="CountSyscalls"/>.</summary>
    public bool CountDaemonSyscalls { get; init; }

    /// <summary>Sessions of the typists scenario, when not the default (interactive and paste are one session by definition).</summary>
    public int? TypistSessions { get; init; }

    /// <summary>
    /// The daemon's <c>--max-sessions</c>: its own default unless the typists are more, so the limit it enforces
    /// on strangers never turns away the bench's own load; a few more for the floors' and a late client's connections
    /// (and a concentrator's own, which holds one besides each of its terminals).
    /// </summary>
    public int MaxSessions => Math.Max(Server.Daemon.DaemonOptions.DefaultMaxSessions, (TypistSessions ?? 0) + 16);

    /// <summary>
    /// The daemon's limits as the bench sets them: all its load comes from one address and opens at once, which the
    /// defaults (made for strangers) would shed, so every session of the bench's own is admitted. The results name them.
    /// </summary>
    public string[] DaemonLimits
    {
        get
        {
            string sessions = MaxSessions.ToString(CultureInfo.InvariantCulture);
            return ["--max-sessions", sessions, "--max-sessions-per-source", sessions, "--max-startups", sessions];
        }
    }

    /// <summary>
    /// The default run's focus: a paste measures the buffer strategy, not the model, so it runs under task alone; and
    /// telnet and rlogin measure their framing, so they run interactive and paste under task alone. The full matrix
    /// would take three times as long and tell little more.
    /// </summary>
    public bool PasteUnderTaskOnly { get; init; }

    /// <inheritdoc cref="PasteUnderTaskOnly"/>
    public bool FramingUnderTaskOnly { get; init; }

    /// <summary>
    /// The default run's concentrator rows echo with pipelined alone: the row measures the mux transport and the
    /// hand-off to each terminal's session under every model, and the strategies are compared by the typists beside it.
    /// </summary>
    public bool ConcentratorPipelinedOnly { get; init; }

    /// <summary>The concentrator's <c>--flush-delay</c> in the concentrator scenario (<see cref="DefaultFlushDelayMs"/> unless given); the table names it.</summary>
    public double FlushDelayMs { get; init; } = DefaultFlushDelayMs;

    /// <summary>
    /// 0: whatever is ready goes as soon as the connection takes it, so a batch grows with the load and costs a
    /// character nothing when the host is idle, where a fixed delay adds itself to every round trip at any load.
    /// </summary>
    public const double DefaultFlushDelayMs = 0;

    /// <summary>The protocols the daemons run: the terminals' as asked, and mux wherever the concentrator scenario needs its daemon.</summary>
    public IReadOnlyList<WireProtocol> DaemonProtocols => Scenarios.Contains(Scenario.Concentrator) ? [.. Protocols, WireProtocol.Mux] : Protocols;

    public IEnumerable<(BufferStrategy Strategy, SubdaemonModel Subdaemon, WireProtocol Protocol)> ServerConfigurations =>
        from protocol in DaemonProtocols
        from subdaemon in Subdaemons
        from strategy in Strategies
        where ScenariosUnder(strategy, subdaemon, protocol).Any()
        select (strategy, subdaemon, protocol);

    /// <summary>The scenarios one daemon serves: a mux daemon the concentrator's alone, a terminals' daemon the others.</summary>
    public IEnumerable<Scenario> ScenariosUnder(BufferStrategy strategy, SubdaemonModel subdaemon, WireProtocol protocol) => protocol == WireProtocol.Mux
        ? Scenarios.Where(scenario => scenario == Scenario.Concentrator && (!ConcentratorPipelinedOnly || strategy == BufferStrategy.Pipelined))
        : Scenarios.Where(scenario => scenario != Scenario.Concentrator
            && (!PasteUnderTaskOnly || scenario != Scenario.Paste || subdaemon == SubdaemonModel.Task)
            && (!FramingUnderTaskOnly || protocol == WireProtocol.Raw || (subdaemon == SubdaemonModel.Task && scenario != Scenario.Typists)));

    /// <summary>
    /// The order the bench goes through the matrix: round by round, the server configurations of each round shuffled
    /// anew by <see cref="Seed"/>, and the scenarios under each configuration too (one daemon serves them all), so that
    /// no configuration always runs first, after the same neighbour, or on a machine warmed the same way.
    /// </summary>
    public IEnumerable<ScheduledDaemon> Schedule()
    {
        var order = new Random(Seed);
        for (int round = 1; round <= Rounds; round++)
        {
            var configurations = ServerConfigurations.ToArray();
            order.Shuffle(configurations);
            foreach (var (strategy, subdaemon, protocol) in configurations)
            {
                var scenarios = ScenariosUnder(strategy, subdaemon, protocol).ToArray();
                order.Shuffle(scenarios);
                yield return new ScheduledDaemon(round, strategy, subdaemon, protocol, scenarios);
            }
        }
    }

    public int RunCount => Rounds * ServerConfigurations.Sum(c => ScenariosUnder(c.Strategy, c.Subdaemon, c.Protocol).Count());

    /// <summary>
    /// Sizes that keep the quick matrix at a couple of minutes on 2 cores and the default one at a quarter of an hour;
    /// a hand-run <c>load</c> sizes itself (ScenarioDefaults) for a single run instead.
    /// Batched interactive types fewer characters: every one of them waits out the client's batch delay. A paste is
    /// as slow as its slower end: naive at either end makes two system calls per character there, and a batched
    /// client sends 64 characters a call.
    /// </summary>
    public ScenarioSize SizeOf(Scenario scenario, BufferStrategy echoStrategy, BufferStrategy clientStrategy) => (scenario, Quick) switch
    {
        (Scenario.Interactive, false) => clientStrategy == BufferStrategy.Batched ? new(2_000, 500, 1, 0) : new(20_000, 10_000, 1, 0),
        (Scenario.Interactive, true) => clientStrategy == BufferStrategy.Batched ? new(500, 200, 1, 0) : new(5_000, 5_000, 1, 0),
        // A naive paste moves ~150 k chars/s, a batched one (64-character sends) tens of millions, the others near the
        // stream floor's billion: each is sized to last a fraction of a second, so its measured part spans many of the
        // kernel's 4 ms CPU-accounting ticks and its warm-up outlasts the JIT's tiering delay.
        (Scenario.Paste, false) => Paste(echoStrategy, clientStrategy, naive: 500_000, batched: 20_000_000, streaming: 200_000_000),
        (Scenario.Paste, true) => Paste(echoStrategy, clientStrategy, naive: 100_000, batched: 5_000_000, streaming: 50_000_000),
        // The concentrator's terminals are the typists, the same sessions at the same rate: its row sits beside theirs.
        (Scenario.Typists or Scenario.Concentrator, false) => Typists(TypistSessions ?? 50, charsPerSecond: 20, measuredPerSession: 60),
        (Scenario.Typists or Scenario.Concentrator, true) => Typists(TypistSessions ?? 10, charsPerSecond: 50, measuredPerSession: 50),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    private static ScenarioSize Paste(BufferStrategy echoStrategy, BufferStrategy clientStrategy, long naive, long batched, long streaming)
    {
        long chars = (echoStrategy, clientStrategy) switch
        {
            (BufferStrategy.Naive, _) or (_, BufferStrategy.Naive) => naive,
            (_, BufferStrategy.Batched) => batched,
            _ => streaming,
        };
        return new(chars, chars / 10, 1, 0);
    }

    /// <summary>
    /// Every session warms up with the same 60 characters, whatever the model: under process and relay each session
    /// is a runtime of its own, which compiles its echo path at tier 0 and recompiles it after 30 calls. Fewer, and
    /// the children's JIT would be measured as the cost of their characters.
    /// </summary>
    private static ScenarioSize Typists(int sessions, double charsPerSecond, int measuredPerSession) =>
        new(sessions * measuredPerSession, sessions * 60, sessions, charsPerSecond);
}
