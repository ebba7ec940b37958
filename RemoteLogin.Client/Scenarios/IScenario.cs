using RemoteLogin.Client.Strategies;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Scenarios;

/// <summary>What one simulated user does with one session. Runs on that session's own typing thread.</summary>
public interface IScenario
{
    /// <summary>Closed-loop scenarios receive on the typing thread; open-loop ones need echoes read in the background.</summary>
    bool IsClosedLoop { get; }

    /// <summary>Type <paramref name="chars"/> characters and return once all were echoed or given up as lost.</summary>
    void Type(ClientTransport session, long chars, Random random);
}

public static class ScenarioFactory
{
    public static IScenario For(Scenario scenario, double charsPerSecond) => scenario switch
    {
        Scenario.Interactive => new InteractiveScenario(),
        Scenario.Typists => new TypistsScenario(charsPerSecond),
        Scenario.Paste => new PasteScenario(),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };
}
