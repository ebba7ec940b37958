namespace RemoteLogin.Vocabulary;

/// <summary>
/// The floors every configuration is compared with, each measured in a fresh process of its own right before and right
/// after the configuration's run (DESIGN.md, "The floor"). Their names are results.json's.
/// </summary>
public enum FloorKind
{
    /// <summary>A one-byte ping-pong on blocking sockets: the kernel's sleep-and-wake round trip.</summary>
    Blocking,

    /// <summary>The same ping-pong on non-blocking sockets polled without ever sleeping: the round trip with no wake-up at all.</summary>
    Spin,

    /// <summary>A blocking echo moving 64 KB reads: the throughput a paste is compared with.</summary>
    Stream,
}
