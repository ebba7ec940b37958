namespace RemoteLogin.Vocabulary;

/// <summary>Where the bench's load clients run their socket continuations (<c>--client-completions</c>).</summary>
/// <remarks>Member names lower-cased are the names on the command line and in results.json.</remarks>
public enum ClientCompletions
{
    /// <summary>
    /// On the socket engine's own thread (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1): an echo is checked where
    /// epoll reported it. Thousands of typists' echoes otherwise each wake a thread-pool worker, whose spinning
    /// between them was most of the client's CPU per character and took the cores the daemon needs.
    /// </summary>
    Inline,
    /// <summary>On the thread pool, as .NET does by default.</summary>
    Pool,
}
