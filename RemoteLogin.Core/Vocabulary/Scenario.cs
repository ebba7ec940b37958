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
}
