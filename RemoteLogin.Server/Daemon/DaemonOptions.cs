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

    /// <summary>A tenth of the default <see cref="DefaultMaxSessions"/>: one address can never take the slots of all the others.</summary>
    public const int DefaultMaxSessionsPerSource = 100;

    /// <summary>
    /// A probe after a minute of silence, then every 10 s, 6 unanswered ones end the session: a peer that vanished
    /// without a FIN frees its slot within two minutes instead of the kernel's default two hours and eleven minutes.
    /// </summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(60);

    /// <summary>Where to listen; port 0 binds an ephemeral port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>The one protocol: its opening runs in the daemon, its framing wherever the echo runs.</summary>
    public WireProtocol Protocol { get; init; } = WireProtocol.Raw;

    public SubdaemonModel Model { get; init; } = SubdaemonModel.Task;

    public BufferStrategy Echo { get; init; } = BufferStrategy.Naive;

    /// <summary>Live sessions at most, those still opening included.</summary>
    public int MaxSessions { get; init; } = DefaultMaxSessions;

    /// <summary>Live sessions from one address at most, those still opening included.</summary>
    public int MaxSessionsPerSource { get; init; } = DefaultMaxSessionsPerSource;

    /// <summary>Sessions still opening (handshake, or a child still launching) at most, with sshd's early drop before that.</summary>
    public StartupLimit MaxStartups { get; init; } = StartupLimit.Default;

    /// <summary>TCP keepalive's idle time on every session (interval a sixth of it, six probes); zero turns it off.</summary>
    public TimeSpan KeepAlive { get; init; } = DefaultKeepAlive;

    /// <summary>A session that has sent nothing for this long is ended as a drain would; zero (the default, as sshd's) never.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>--prefork: under process and relay, children kept started and warmed ahead of their logins.</summary>
    public int Prefork { get; init; }

    /// <summary>One deadline for a session's whole opening (the rlogin handshake).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>How long live sessions get to finish echoing once the daemon is told to stop, before they are aborted.</summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;
}
