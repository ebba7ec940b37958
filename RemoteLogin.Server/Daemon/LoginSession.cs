using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// A connection from accept to end, the same for every model: first the protocol's opening, run here in the daemon
/// under one deadline, then the model's session, then the close; drain and abort whenever they come. A client that
/// never finishes its handshake holds a socket and a timer, not a thread or a process. The session's events are
/// raised here, each at one place, from what the opening and the model return.
/// </summary>
internal sealed class LoginSession : IDaemonSession
{
    private readonly Socket _connection;
    private readonly EndPoint? _peer;
    private readonly ILoginProtocol _protocol;
    private readonly ISubdaemon _model;
    private readonly IDaemonEvents _events;
    private readonly DaemonOptions _options;
    private readonly Admission.AdmissionTicket _ticket;
    private readonly SessionControl _control;

    /// <param name="ticket">Its place among the daemon's limits: the opening's is given back once the model serves, the rest at the end.</param>
    /// <param name="peer">Who it is for: the connection's peer unless given (a terminal behind a concentrator is served over a socket pair).</param>
    public LoginSession(Socket connection, ILoginProtocol protocol, ISubdaemon model, IDaemonEvents events, DaemonOptions options, Admission.AdmissionTicket ticket, EndPoint? peer = null)
    {
        _connection = connection;
        _peer = peer ?? connection.RemoteEndPoint;
        _protocol = protocol;
        _model = model;
        _events = events;
        _options = options;
        _ticket = ticket;
        _control = new SessionControl(onServing: ticket.StartupDone);
        // Off the accept loop: an opening may send, and a model may start a process.
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes when the session has ended and released everything it held.</summary>
    public Task Completion { get; }

    /// <summary>A session still opening has nothing in flight to echo: it is closed. A served one drains.</summary>
    public void BeginDrain() => _control.BeginDrain();

    /// <summary>End now, dropping whatever is in flight.</summary>
    public void Abort()
    {
        _events.Raise(new SessionAborted(_peer));
        _control.Abort();
    }

    private async Task RunAsync()
    {
        using (_ticket)
        {
            await ServeAsync();
        }
    }

    private async Task ServeAsync()
    {
        var opening = await OpenAsync();
        if (!opening.Succeeded || _control.IsStopping)
        {
            if (!opening.Succeeded && !_control.IsStopping)
            {
                _events.Raise(new HandshakeFailed(_peer, opening.Error!));
            }
            await CloseAsync(); // a refusal's message goes out before the close, not lost to a reset
            return;
        }

        _events.Raise(new SessionStarted(_peer));
        SessionEnd end;
        // Under process the watch ends by itself once the daemon's copy of the socket is gone: the child watches its own.
        using var idle = IdleWatch.Start(_connection, _options.IdleTimeout, () =>
        {
            _events.Raise(new SessionIdle(_peer, _options.IdleTimeout));
            _control.BeginDrain();
        });
        try
        {
            end = await _model.ServeAsync(_connection, _control);
        }
        catch (Exception e)
        {
            end = SessionEnd.Of(EchoEnd.From(e)); // the edge: whatever a model threw is how its session ended
        }
        await CloseAsync();
        _events.Raise(new SessionEnded(_peer, end));
    }

    private async Task CloseAsync()
    {
        if (!await SessionSocket.CloseAsync(_connection, _control.Aborted))
        {
            _events.Raise(new LingerExpired(_peer, SessionSocket.Linger));
        }
    }

    private async ValueTask<Opening> OpenAsync()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_control.Stopping);
        deadline.CancelAfter(_options.HandshakeTimeout);
        try
        {
            // A terminal's socket pair end has none of TCP's options: its mux connection has them.
            if (_connection.ProtocolType == ProtocolType.Tcp)
            {
                _connection.NoDelay = true;
                // Urgent bytes (telnet's synch, an rlogin client's interrupt) stay in the stream as data: out of line, every
                // read that does not ask for MSG_OOB would drop them without a word. The option travels with the socket to a child.
                _connection.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline, true);
                SessionSocket.KeepAlive(_connection, _options.KeepAlive);
            }
            return await _protocol.OpenAsync(_connection, deadline.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return new Opening($"{_protocol.Name.Name()}: {(e is OperationCanceledException ? "opening not done at the deadline" : e.Message)}");
        }
    }
}
