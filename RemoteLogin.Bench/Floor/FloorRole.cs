namespace RemoteLogin.Bench.Floor;

/// <summary>
/// Which part of a floor one process runs. <see cref="Both"/> is the one-host floor, ping and echo as two threads of one
/// process over loopback; a two-host run splits them so the floor crosses the same wire as the keystrokes: the echo on
/// the daemon's host, the ping (which measures) on the first load host.
/// </summary>
internal enum FloorRole
{
    Both,

    /// <summary>Listens, serves one connection with the kind's echo half, and exits.</summary>
    Echo,

    /// <summary>Connects to an echo and measures: prints the same <see cref="FloorMeasurement"/> as <see cref="Both"/>.</summary>
    Ping,
}
