namespace RemoteLogin.Vocabulary;

/// <summary>How the daemon gives each session its own worker (DESIGN.md, "Subdaemon models").</summary>
public enum SubdaemonModel
{
    /// <summary>An async session loop on the thread pool, in the daemon's process.</summary>
    Task,
    /// <summary>A dedicated OS thread per session with blocking socket calls.</summary>
    Thread,
    /// <summary>A child process per session that owns the socket, passed with SCM_RIGHTS.</summary>
    Process,
    /// <summary>A child process per session; the daemon keeps the socket and relays the bytes.</summary>
    Relay,
}
