using System.Net;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// Everything a daemon is made from, each said once: the program's command line, the tests' in-process daemon and the
/// micro benchmarks all fill this in and hand it to <see cref="DaemonHost"/>, which makes the rest from it.
/// </summary>
internal sealed record DaemonOptions
{
    public const int DefaultMaxSessions = 1000;
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Where to listen; port 0 binds an ephemeral port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>The one protocol: its opening runs in the daemon, its framing wherever the echo runs.</summary>
    public WireProtocol Protocol { get; init; } = WireProtocol.Raw;

    public SubdaemonModel Model { get; init; } = SubdaemonModel.Task;

    public BufferStrategy Echo { get; init; } = BufferStrategy.Naive;

    /// <summary>Live sessions at most, those still opening included.</summary>
    public int MaxSessions { get; init; } = DefaultMaxSessions;

    /// <summary>One deadline for a session's whole opening (the rlogin handshake).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>How long live sessions get to finish echoing once the daemon is told to stop, before they are aborted.</summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;
}
