namespace RemoteLogin.Vocabulary;

/// <summary>How characters are buffered on their way to and from the socket (DESIGN.md, "Buffer strategies").</summary>
/// <remarks>Member names lower-cased are the names on the command line and in results.json.</remarks>
public enum BufferStrategy
{
    /// <summary>One system call per character, each way.</summary>
    Naive,
    /// <summary>Characters gathered in a reused buffer; sent when full or when the oldest has waited the batch delay.</summary>
    Batched,
    /// <summary>System.IO.Pipelines on both ends: writes never wait for echoes, flushes coalesce.</summary>
    Pipelined,
    /// <summary>Pooled pinned memory handed to the socket as is; splice(2) on the server echo.</summary>
    Zerocopy,
}
