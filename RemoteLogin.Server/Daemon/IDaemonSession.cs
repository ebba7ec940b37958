namespace RemoteLogin.Server.Daemon;

/// <summary>What the daemon holds for each accepted connection until it ends: a login session, or a concentrator's mux connection with its terminals.</summary>
internal interface IDaemonSession
{
    /// <summary>Completes when it has ended and released everything it held.</summary>
    Task Completion { get; }

    /// <summary>Stop taking new input, echo what was received, then end.</summary>
    void BeginDrain();

    /// <summary>End now, dropping whatever is in flight.</summary>
    void Abort();
}
