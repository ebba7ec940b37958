namespace RemoteLogin.Measurement;

/// <summary>Environment switches that change how the runtime does socket I/O and scheduling. A run records the ones set, so tables never hide them.</summary>
public static class RuntimeSwitches
{
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>-1 keeps every thread-pool worker the process starts alive (they otherwise exit after 20 s idle).</summary>
    public const string ThreadPoolThreadsToKeepAlive = "DOTNET_ThreadPool_ThreadsToKeepAlive";

    public static IReadOnlyList<string> Names { get; } =
    [
        InlineSocketCompletions,
        "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT",
        "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit",
        ThreadPoolThreadsToKeepAlive,
        "DOTNET_TieredCompilation",
        "DOTNET_TieredPGO",
        "DOTNET_gcServer",
    ];
}
