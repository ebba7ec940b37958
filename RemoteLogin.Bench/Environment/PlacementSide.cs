namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>Which end of the path a process or thread is: placement puts the daemon's ends on one CPU and the client's on another.</summary>
internal enum PlacementSide
{
    /// <summary>The load client (and a concentrator between it and the daemon).</summary>
    Client,
    /// <summary>The daemon and its subdaemons.</summary>
    Daemon,
    /// <summary>The floor's ping thread: the client's end of the floor.</summary>
    FloorPing,
    /// <summary>The floor's echo thread: the daemon's end of the floor.</summary>
    FloorEcho,
}
