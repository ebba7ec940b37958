using System.Net;
using RemoteLogin.Server.Sessions;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// Something the daemon (or a subdaemon child) did that its log, its meter or a test wants to know. Each is raised at
/// one place; <see cref="DaemonLog"/> writes the lines people read, and reads them back.
/// </summary>
internal abstract record DaemonEvent;

/// <summary>Where the daemon's events go: its log and its meter, or a test's record.</summary>
internal interface IDaemonEvents
{
    void Raise(DaemonEvent daemonEvent);
}

/// <summary>A connection was accepted and admitted; its protocol's opening begins.</summary>
internal sealed record SessionOpened(EndPoint? Peer) : DaemonEvent;

/// <summary>A connection the daemon's limits did not admit (<see cref="Admission"/>), closed at once.</summary>
internal sealed record SessionRefused(EndPoint? Peer, RefusalReason Reason) : DaemonEvent;

/// <summary>A session whose client sent nothing for --idle-timeout; it is ended as a drain ends it.</summary>
internal sealed record SessionIdle(EndPoint? Peer, TimeSpan Limit) : DaemonEvent;

/// <summary>A session's peer still sent, without a FIN, at the end of the linger after the daemon's: closed, so what it sends next meets a reset.</summary>
internal sealed record LingerExpired(EndPoint? Peer, TimeSpan Linger) : DaemonEvent;

/// <summary>Zerocopy could not have its kernel pipe for a session (out of descriptors, or of pipe memory): that session echoes by copying.</summary>
internal sealed record ZeroCopyUnavailable(EndPoint? Peer, string Reason) : DaemonEvent;

/// <summary>The protocol's opening failed (malformed, late, or the client left); the session is closed before any echo.</summary>
internal sealed record HandshakeFailed(EndPoint? Peer, string Reason) : DaemonEvent;

/// <summary>The opening is done and the session is handed to its model; it is live until <see cref="SessionEnded"/>.</summary>
internal sealed record SessionStarted(EndPoint? Peer) : DaemonEvent;

/// <summary>A started session is over and its socket closed; <see cref="End"/> says how.</summary>
internal sealed record SessionEnded(EndPoint? Peer, SessionEnd End) : DaemonEvent;

/// <summary>A concentrator's mux connection broke the framing or its rules (or reported an error): it ends, and its terminals with it.</summary>
internal sealed record MuxBroken(EndPoint? Peer, string Reason, int Terminals) : DaemonEvent;

/// <summary>A session still running at the drain deadline, ended now.</summary>
internal sealed record SessionAborted(EndPoint? Peer) : DaemonEvent;

/// <summary>The drain deadline passed with sessions still running; each is aborted next.</summary>
internal sealed record DrainTimedOut(int StillRunning, TimeSpan Grace) : DaemonEvent;

/// <summary>
/// Accepts failed (out of descriptors, a connection reset in the backlog): those connections wait or are lost, the
/// daemon is not. Raised for the first failure and then at most once a <see cref="LoginDaemon"/> log interval, with
/// how many failed in all since the last line.
/// </summary>
internal sealed record AcceptFailed(string Reason, int Failures = 1) : DaemonEvent;

/// <summary>An accept succeeded again after <see cref="Failures"/> failed ones.</summary>
internal sealed record AcceptRecovered(int Failures) : DaemonEvent;

/// <summary>The daemon could not listen where it was told to.</summary>
internal sealed record ListenFailed(string Listen, string Reason) : DaemonEvent;

/// <summary>A subdaemon child's side: the daemon that started it did not hand it a session.</summary>
internal sealed record NoSessionHandedOver(string Reason) : DaemonEvent;

/// <summary>The snapshot responder lost whoever asked (<c>--control-stdin</c>); the daemon serves on.</summary>
internal sealed record SnapshotsStopped(string Reason) : DaemonEvent;

/// <summary>
/// How a started session ended: its echo's end, or why no subdaemon ever served it (a child that could not start or
/// did not take the socket). A result the session's lifecycle turns into its <see cref="SessionEnded"/> event.
/// </summary>
internal readonly record struct SessionEnd(EchoEnd Echo, string? NotStartedBecause = null)
{
    public static SessionEnd Of(EchoEnd echo) => new(echo);

    public static SessionEnd NotStarted(string because) => new(default, because);

    public bool Started => NotStartedBecause is null;
}

/// <summary>Several sinks as one: the composition root sends every event to the meter and to the log.</summary>
internal sealed class DaemonEventSinks(params IDaemonEvents[] sinks) : IDaemonEvents
{
    public void Raise(DaemonEvent daemonEvent)
    {
        foreach (var sink in sinks)
        {
            sink.Raise(daemonEvent);
        }
    }
}
