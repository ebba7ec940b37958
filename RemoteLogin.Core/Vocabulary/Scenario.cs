namespace RemoteLogin.Vocabulary;

/// <summary>What the simulated users do (DESIGN.md, "Scenarios").</summary>
public enum Scenario
{
    /// <summary>Closed loop: type one character, wait for its echo, repeat.</summary>
    Interactive,
    /// <summary>Open loop: sessions type at a fixed rate with exponential gaps; latency from the intended send time.</summary>
    Typists,
    /// <summary>One long burst, as fast as the strategy allows.</summary>
    Paste,
    /// <summary>The typists, each on its own connection to a terminal concentrator, which carries them all to the daemon over one mux connection.</summary>
    Concentrator,
}

public static class Scenarios
{
    /// <summary>
    /// What a load client does on its own connections to whatever it is pointed at. The concentrator scenario is the
    /// bench's: typists, pointed at a concentrator the bench starts in front of a mux daemon.
    /// </summary>
    public static IReadOnlyList<Scenario> Load { get; } = [Scenario.Interactive, Scenario.Typists, Scenario.Paste];
}
