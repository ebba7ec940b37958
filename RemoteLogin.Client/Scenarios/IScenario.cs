using HdrHistogram;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Scenarios;

/// <summary>What one simulated user does with one session. Runs on that session's own typing thread.</summary>
internal interface IScenario
{
    /// <summary>Closed-loop scenarios receive on the typing thread; open-loop ones need echoes read in the background.</summary>
    bool IsClosedLoop { get; }

    /// <summary>
    /// Type <paramref name="chars"/> characters and return once all were echoed or given up as lost. An open-loop
    /// scenario with an intended time per character records into <paramref name="lateness"/> how late it handed each
    /// over; null while not measuring.
    /// </summary>
    void Type(ClientTransport session, long chars, Random random, LongHistogram? lateness);
}

internal static class ScenarioFactory
{
    public static IScenario For(Scenario scenario, double charsPerSecond) => scenario switch
    {
        Scenario.Interactive => new InteractiveScenario(),
        Scenario.Typists => new TypistsScenario(charsPerSecond),
        Scenario.Paste => new PasteScenario(),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };
}
