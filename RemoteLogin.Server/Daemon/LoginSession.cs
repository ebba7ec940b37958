using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// A connection from accept to end, the same for every model: first the protocol's opening, run here in the daemon
/// under one deadline, then the model's session, then the close; drain and abort whenever they come. A client that
/// never finishes its handshake holds a socket and a timer, not a thread or a process. The session's events are
/// raised here, each at one place, from what the opening and the model return.
/// </summary>
internal sealed class LoginSession
{
    private readonly Socket _connection;
    private readonly EndPoint? _peer;
    private readonly ILoginProtocol _protocol;
    private readonly ISubdaemon _model;
    private readonly IDaemonEvents _events;
    private readonly TimeSpan _handshakeTimeout;
    private readonly SessionControl _control = new();

    public LoginSession(Socket connection, ILoginProtocol protocol, ISubdaemon model, IDaemonEvents events, TimeSpan handshakeTimeout)
    {
        _connection = connection;
        _peer = connection.RemoteEndPoint;
        _protocol = protocol;
        _model = model;
        _events = events;
        _handshakeTimeout = handshakeTimeout;
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
        var opening = await OpenAsync();
        if (!opening.Succeeded || _control.IsStopping)
        {
            if (!opening.Succeeded && !_control.IsStopping)
            {
                _events.Raise(new HandshakeFailed(_peer, opening.Error!));
            }
            SessionSocket.Close(_connection);
            return;
        }

        _events.Raise(new SessionStarted(_peer));
        SessionEnd end;
        try
        {
            end = await _model.ServeAsync(_connection, _control);
        }
        catch (Exception e)
        {
            end = SessionEnd.Of(EchoEnd.From(e)); // the edge: whatever a model threw is how its session ended
        }
        SessionSocket.Close(_connection);
        _events.Raise(new SessionEnded(_peer, end));
    }

    private async ValueTask<Opening> OpenAsync()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_control.Stopping);
        deadline.CancelAfter(_handshakeTimeout);
        try
        {
            _connection.NoDelay = true;
            return await _protocol.OpenAsync(_connection, deadline.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return new Opening($"{_protocol.Name.Name()}: {(e is OperationCanceledException ? "opening not done at the deadline" : e.Message)}");
        }
    }
}
