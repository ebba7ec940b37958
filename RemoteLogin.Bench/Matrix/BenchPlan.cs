using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>How much one scenario types in one run.</summary>
public sealed record ScenarioSize(long Chars, long WarmupChars, int Sessions, double CharsPerSecond);

/// <summary>What the bench runs: server configurations × scenarios, in rounds, and how big each run is.</summary>
public sealed record BenchPlan
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

    /// <summary>Scenarios run under some models only (the default run pastes under the task model alone); absent means under every model.</summary>
    public IReadOnlyDictionary<Scenario, SubdaemonModel[]> ScenarioModels { get; init; } = new Dictionary<Scenario, SubdaemonModel[]>();

    public IEnumerable<(BufferStrategy Strategy, SubdaemonModel Subdaemon, WireProtocol Protocol)> ServerConfigurations =>
        from protocol in Protocols
        from subdaemon in Subdaemons
        from strategy in Strategies
        select (strategy, subdaemon, protocol);

    public IEnumerable<Scenario> ScenariosUnder(SubdaemonModel subdaemon) =>
        Scenarios.Where(s => !ScenarioModels.TryGetValue(s, out var only) || only.Contains(subdaemon));

    public int RunCount => Rounds * ServerConfigurations.Sum(c => ScenariosUnder(c.Subdaemon).Count());

    /// <summary>
    /// Sizes that keep the quick matrix under a minute on 2 cores and the default one at a few minutes; a hand-run
    /// <c>load</c> sizes itself (ScenarioDefaults) for a single run instead.
    /// Batched interactive types fewer characters: every one of them waits out the batch delay.
    /// </summary>
    public ScenarioSize SizeOf(Scenario scenario, BufferStrategy strategy) => (scenario, Quick) switch
    {
        (Scenario.Interactive, false) => strategy == BufferStrategy.Batched ? new(2_000, 500, 1, 0) : new(20_000, 10_000, 1, 0),
        (Scenario.Interactive, true) => strategy == BufferStrategy.Batched ? new(500, 200, 1, 0) : new(5_000, 5_000, 1, 0),
        (Scenario.Paste, false) => new(500_000, 50_000, 1, 0),
        (Scenario.Paste, true) => new(100_000, 20_000, 1, 0),
        (Scenario.Typists, false) => new(3_000, 500, 50, 20),
        (Scenario.Typists, true) => new(500, 100, 10, 50),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };
}
