namespace RemoteLogin.Vocabulary;

/// <summary>Where the bench puts the client and daemon sides on the CPUs (DESIGN.md, "--placement").</summary>
/// <remarks>Member names lower-cased are the names on the command line and in results.json.</remarks>
public enum CpuPlacement
{
    /// <summary>The scheduler places every thread as it likes.</summary>
    Default,
    /// <summary>Both sides on one CPU: every hand-over is a context switch on that CPU, never a wake-up of another.</summary>
    Same,
    /// <summary>The daemon side on one CPU, the client side on another: every hand-over wakes the other CPU.</summary>
    Split,
}
