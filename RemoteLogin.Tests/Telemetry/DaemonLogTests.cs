using System.Net;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Protocols.Mux;
using RemoteLogin.Server.Sessions;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>The daemon's log lines: each event's line reads back as that event, by the one declaration that writes it.</summary>
public class DaemonLogTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 40123);

    /// <summary>One of every event, each line-writing end of a session included.</summary>
    private static readonly DaemonEvent[] Samples =
    [
        new SessionOpened(Peer),
        new SessionRefused(Peer, RefusalReason.MaxSessionsPerSource),
        new SessionIdle(Peer, TimeSpan.FromSeconds(1.5)),
        new LingerExpired(Peer, TimeSpan.FromSeconds(2)),
        new ZeroCopyUnavailable(Peer, "pipe2 failed: Too many open files"),
        new HandshakeFailed(Peer, "rlogin: handshake incomplete at the deadline (user name)"),
        new SessionStarted(Peer),
        new SessionEnded(Peer, SessionEnd.Of(EchoEnd.Completed)),
        new SessionEnded(Peer, SessionEnd.Of(new EchoEnd(EchoEndKind.ConnectionLost, "Connection reset by peer"))),
        new SessionEnded(Peer, SessionEnd.Of(new EchoEnd(EchoEndKind.ProtocolBroken, "telnet: subnegotiation longer than 512 bytes"))),
        new SessionEnded(Peer, SessionEnd.Of(new EchoEnd(EchoEndKind.Failed, "System.InvalidOperationException: no\n   at Somewhere()\n   at SomewhereElse()"))),
        new SessionEnded(Peer, SessionEnd.NotStarted("subdaemon exited with code 3 before taking its session")),
        new SessionAborted(Peer),
        new DrainTimedOut(3, TimeSpan.FromSeconds(0.5)),
        new AcceptFailed("Too many open files", 17),
        new AcceptRecovered(18),
        new ListenFailed("127.0.0.1:5513", "Address already in use"),
        new NoSessionHandedOver("it went away before saying go"),
        new SnapshotsStopped("Broken pipe"),
        new MuxBroken(Peer, "frame type 9 on terminal 1 is none of OPEN (1), DATA (2), CLOSE (3), CREDIT (4), ERROR (5)", 3),
        // A terminal behind a concentrator is named by its connection and its number, and reads back so.
        new LingerExpired(new TerminalEndPoint(Peer, 7), TimeSpan.FromSeconds(2)),
    ];

    [Fact]
    public void Every_kind_of_event_has_a_sample_here()
    {
        var kinds = typeof(DaemonEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(DaemonEvent)) && !t.IsAbstract);
        Assert.Empty(kinds.Except(Samples.Select(e => e.GetType())));
    }

    [Fact]
    public void Each_line_reads_back_as_the_event_that_wrote_it_and_only_what_a_person_needs_is_written()
    {
        var written = Samples.Where(e => DaemonLog.Line(e) is not null).ToArray();
        var log = DaemonLog.Parse(string.Join('\n', written.Select(DaemonLog.Line)) + "\n");

        Assert.Empty(log.Unrecognized);
        Assert.Equal(written, log.Events);
        // The quiet ones: a connection's ordinary life, and the ends nobody needs to be told of.
        Assert.Equal(
            [typeof(SessionOpened), typeof(SessionRefused), typeof(SessionStarted), typeof(SessionEnded), typeof(SessionEnded), typeof(SessionAborted)],
            Samples.Except(written).Select(e => e.GetType()));
    }

    [Fact]
    public void A_line_that_is_no_event_is_kept_apart_and_the_events_around_it_still_read()
    {
        var log = DaemonLog.Parse($"{DaemonLog.Line(new AcceptFailed("x"))}\nUnhandled exception. System.Exception: boom\n{DaemonLog.Line(new SnapshotsStopped("y"))}\n");

        Assert.Equal([new AcceptFailed("x"), new SnapshotsStopped("y")], log.Events);
        Assert.Equal(["Unhandled exception. System.Exception: boom"], log.Unrecognized);
    }

    [Fact]
    public void Lines_keep_the_wording_users_read()
    {
        Assert.Equal("session 127.0.0.1:40123: rlogin: no NUL; closing it", DaemonLog.Line(new HandshakeFailed(Peer, "rlogin: no NUL")));
        Assert.Equal("2 session(s) still running after 5 s: aborting them", DaemonLog.Line(new DrainTimedOut(2, TimeSpan.FromSeconds(5))));
        Assert.Equal("accept failed 3 time(s): Too many open files; retrying with backoff", DaemonLog.Line(new AcceptFailed("Too many open files", 3)));
    }
}
