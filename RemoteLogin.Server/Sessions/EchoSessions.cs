using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Sessions;

/// <summary>
/// The one place that puts a buffer strategy, a protocol's framing and the meter together: a model asks it for
/// "an echo session for this connection" and knows nothing of framings or meters. Every model and the subdaemon child
/// make their sessions here.
/// </summary>
/// <param name="buffers">Where the sessions rent what they receive into (the shared pool unless a test counts the rentals).</param>
/// <param name="events">Where a session's strategy reports falling back (zerocopy without a pipe); the daemon's log unless given.</param>
internal sealed class EchoSessions(BufferStrategy strategy, ILoginProtocol protocol, IEchoMeter meter, ArrayPool<byte>? buffers = null, IDaemonEvents? events = null)
{
    private readonly IDaemonEvents _events = events ?? DaemonLog.StandardError;
    private readonly ArrayPool<byte> _buffers = buffers ?? ArrayPool<byte>.Shared;
    private readonly IEchoStrategy _echo = EchoStrategies.For(strategy);

    public BufferStrategy Strategy => strategy;

    public WireProtocol Protocol => protocol.Name;

    /// <summary>Where the sessions count; the relay model counts its own copies through it too.</summary>
    public IEchoMeter Meter => meter;

    public EchoSession For(Socket connection) => new(connection, _echo, new FramedEcho(protocol.NewFraming(), meter), meter, _buffers, _events);
}

/// <summary>How a session's echo ended. A result, not an exception: the session's lifecycle turns it into its end event.</summary>
internal enum EchoEndKind
{
    /// <summary>The client stopped sending and every echo went out.</summary>
    Completed,
    /// <summary>The client broke the protocol; <see cref="EchoEnd.Reason"/> says how.</summary>
    ProtocolBroken,
    /// <summary>The connection went away under the echo (a reset, an abort, a closed socket): nothing to report.</summary>
    ConnectionLost,
    /// <summary>Anything else: a bug, with <see cref="EchoEnd.Reason"/> the whole story.</summary>
    Failed,
}

internal readonly record struct EchoEnd(EchoEndKind Kind, string? Reason = null)
{
    public static EchoEnd Completed => new(EchoEndKind.Completed);

    public static EchoEnd From(LaneEnd lanes) => lanes.Kind switch
    {
        LaneEndKind.Completed => Completed,
        LaneEndKind.Lost => new(EchoEndKind.ConnectionLost, lanes.Reason),
        _ => new(EchoEndKind.Failed, lanes.Reason),
    };

    /// <summary>At the edge, where an exception came out of the echo: what it means for the session.</summary>
    public static EchoEnd From(Exception error) => error switch
    {
        ProtocolViolationException => new(EchoEndKind.ProtocolBroken, error.Message),
        SocketException or OperationCanceledException or IOException or ObjectDisposedException => new(EchoEndKind.ConnectionLost, error.Message),
        _ => new(EchoEndKind.Failed, error.ToString()),
    };
}

/// <summary>
/// One connection's echo, its strategy's lanes stepped by a driver: <see cref="Run"/> on the session's own blocking
/// thread (a second one for a strategy with a sending lane), <see cref="RunAsync"/> as async loops on the thread pool.
/// Ends when the client stops sending and its echo is out, or the connection breaks; closing the socket is the session
/// lifecycle's job, not this.
/// </summary>
internal sealed class EchoSession(Socket connection, IEchoStrategy echo, FramedEcho framing, IEchoMeter meter, ArrayPool<byte> buffers, IDaemonEvents events)
{
    /// <summary>How long a drained blocking session may take to come out of its recv by itself, with the next keystroke.</summary>
    private static readonly TimeSpan BlockedReaderGrace = TimeSpan.FromMilliseconds(500);

    // Never disposed, as a session's other token sources: a drain may come after the session ended.
    private readonly CancellationTokenSource _stopReading = new();
    private volatile bool _blocking;
    private volatile bool _done;

    public Socket Connection => connection;

    /// <summary>
    /// The drain: read nothing more, echo what was read, then end as at the client's own end. The async driver's
    /// waiting receive is cancelled, which takes nothing from the kernel. A thread blocked in recv comes out with the
    /// client's next keystroke; one whose client stays silent can be woken only by shutdown(SHUT_RD), and Linux then
    /// resets a peer that sends again once the daemon's FIN is out (RFC 1122), so that is kept for a silent client.
    /// </summary>
    public void StopReading()
    {
        framing.StopReading(); // first: a driver that starts after this sees it at its first step
        _stopReading.Cancel();
        _ = WakeBlockedReaderAsync();
    }

    private async Task WakeBlockedReaderAsync()
    {
        await Task.Delay(BlockedReaderGrace);
        if (_blocking && !_done)
        {
            SessionSocket.ShutdownQuietly(connection, SocketShutdown.Receive);
        }
    }

    /// <summary>The blocking driver: the calling thread is the session's own and blocks in every socket call.</summary>
    public EchoEnd Run()
    {
        try
        {
            _blocking = true;
            connection.Blocking = true; // real blocking system calls, whatever mode the socket came in
            var lanes = echo.Start(new EchoContext(framing, meter, connection, PipeScheduler.Inline, buffers, events));
            return End(lanes.Sending is { } sending
                ? Worse(BlockingDriver.Run(connection, lanes.Receiving, sending, "pipelined echo sender"))
                : BlockingDriver.Run(connection, lanes.Receiving));
        }
        catch (Exception e)
        {
            return EchoEnd.From(e); // the lanes could not start: the descriptor was gone already
        }
        finally
        {
            _done = true;
        }
    }

    /// <summary>The async driver: never blocks a pool thread; <paramref name="abort"/> ends it now.</summary>
    public async ValueTask<EchoEnd> RunAsync(CancellationToken abort)
    {
        EchoLanes lanes;
        try
        {
            // Non-blocking at the kernel too, before any lane calls it itself: a splice on a blocking socket blocks whatever its flags say.
            connection.Blocking = false;
            lanes = echo.Start(new EchoContext(framing, meter, connection, PipeScheduler.ThreadPool, buffers, events));
        }
        catch (Exception e)
        {
            return EchoEnd.From(e);
        }
        return End(lanes.Sending is { } sending
            ? Worse(await AsyncDriver.RunAsync(connection, lanes.Receiving, sending, abort, _stopReading.Token))
            : await AsyncDriver.RunAsync(connection, lanes.Receiving, abort, _stopReading.Token));
    }

    private static LaneEnd Worse((LaneEnd First, LaneEnd Second) ends) => LaneEnd.Worse(ends.First, ends.Second);

    /// <summary>A refusal by the protocol says most; otherwise how the lanes ended.</summary>
    private EchoEnd End(LaneEnd lanes) => framing.Refusal is { } refusal ? new(EchoEndKind.ProtocolBroken, refusal) : EchoEnd.From(lanes);
}
