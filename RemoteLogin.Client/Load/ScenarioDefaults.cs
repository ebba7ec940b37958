using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Load;

/// <summary>What a run is sized to when the user does not say: each scenario takes seconds, not minutes.</summary>
public static class ScenarioDefaults
{
    private const double TypistsSeconds = 5;

    public static int Sessions(Scenario scenario) => scenario == Scenario.Typists ? 20 : 1;

    public static long Chars(Scenario scenario, int sessions, double charsPerSecond) => scenario switch
    {
        Scenario.Interactive => 20_000,
        Scenario.Paste => 1_000_000,
        Scenario.Typists => Math.Max(sessions, (long)(sessions * charsPerSecond * TypistsSeconds)),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    public static long Warmup(long chars) => chars / 10;
}
