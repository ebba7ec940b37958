namespace RemoteLogin.Vocabulary;

/// <summary>Which idle states the CPUs may enter while the bench runs (DESIGN.md, "--cpu-idle").</summary>
/// <remarks>Member names lower-cased are the names on the command line and in results.json.</remarks>
public enum CpuIdle
{
    /// <summary>Whatever the idle governor chooses: a wake-up may first pay the exit latency of a deep state.</summary>
    Default,
    /// <summary>Only polling: a PM QoS request of 0 µs keeps every CPU out of states with any exit latency.</summary>
    Poll,
}
