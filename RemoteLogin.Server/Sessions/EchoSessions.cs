using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Sessions;

/// <summary>
/// The one place that puts a buffer strategy, a protocol's framing and the meter together: a model asks it for
/// "an echo session for this connection" and knows nothing of framings or meters. Every model and the subdaemon child
/// make their sessions here.
/// </summary>
internal sealed class EchoSessions(BufferStrategy strategy, ILoginProtocol protocol, EchoTally tally)
{
    public BufferStrategy Strategy => strategy;

    public WireProtocol Protocol => protocol.Name;

    public EchoSession For(Socket connection) =>
        new(connection, EchoStrategies.For(strategy), new FramedEcho(protocol.NewFraming(), tally.Copies), tally);
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

    /// <summary>At the edge, where an exception came out of the echo: what it means for the session.</summary>
    public static EchoEnd From(Exception error) => error switch
    {
        ProtocolViolationException => new(EchoEndKind.ProtocolBroken, error.Message),
        SocketException or OperationCanceledException or IOException or ObjectDisposedException => new(EchoEndKind.ConnectionLost, error.Message),
        _ => new(EchoEndKind.Failed, error.ToString()),
    };
}

/// <summary>
/// One connection's echo, run by a driver: <see cref="Run"/> on the session's own blocking thread, <see cref="RunAsync"/>
/// as an async loop on the thread pool. Ends when the client stops sending and its echo is out, or the connection breaks;
/// closing the socket is the session lifecycle's job, not this.
/// </summary>
internal sealed class EchoSession(Socket connection, IEchoStrategy echo, FramedEcho framing, EchoTally tally)
{
    public Socket Connection => connection;

    /// <summary>The blocking driver: the calling thread is the session's own and blocks in every socket call.</summary>
    public EchoEnd Run()
    {
        try
        {
            connection.Blocking = true; // real blocking system calls, whatever mode the socket came in
            echo.Echo(connection, framing, tally);
            return EchoEnd.Completed;
        }
        catch (Exception e)
        {
            return EchoEnd.From(e);
        }
    }

    /// <summary>The async driver: never blocks a pool thread; <paramref name="abort"/> ends it now.</summary>
    public async ValueTask<EchoEnd> RunAsync(CancellationToken abort)
    {
        try
        {
            await echo.EchoAsync(connection, framing, tally, abort);
            return EchoEnd.Completed;
        }
        catch (Exception e)
        {
            return EchoEnd.From(e);
        }
    }
}
