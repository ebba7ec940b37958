using System.Net.Sockets;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// A connection from accept to end: first the protocol's opening, run here in the daemon under one deadline, then
/// the subdaemon's session. A client that never finishes its handshake holds a socket and a timer, not a thread or a process.
/// </summary>
internal sealed class LoginSession : ISession
{
    private readonly Socket _connection;
    private readonly ILoginProtocol _protocol;
    private readonly ISubdaemon _subdaemon;
    private readonly ServerMetrics _metrics;
    private readonly CancellationTokenSource _opening; // the deadline, and how a stop ends an opening early
    private readonly Lock _gate = new();
    private ISession? _served;
    private bool _opened;
    private bool _stopping;

    public LoginSession(Socket connection, ILoginProtocol protocol, ISubdaemon subdaemon, ServerMetrics metrics, TimeSpan handshakeTimeout)
    {
        _connection = connection;
        _protocol = protocol;
        _subdaemon = subdaemon;
        _metrics = metrics;
        _opening = new CancellationTokenSource(handshakeTimeout);
        Completion = RunAsync();
    }

    public Task Completion { get; }

    /// <summary>A session still opening has nothing in flight to echo: it is closed. A served one drains.</summary>
    public void BeginDrain()
    {
        lock (_gate)
        {
            _stopping = true;
            CancelOpening();
            _served?.BeginDrain();
        }
    }

    public void Abort()
    {
        lock (_gate)
        {
            _stopping = true;
            CancelOpening();
            _served?.Abort();
        }
    }

    private async Task RunAsync()
    {
        var peer = _connection.RemoteEndPoint;
        var opening = await OpenAsync();
        ISession served;
        lock (_gate)
        {
            _opened = true;
            _opening.Dispose(); // its timer would otherwise live out the whole deadline
            if (!opening.Succeeded || _stopping)
            {
                if (!_stopping)
                {
                    Console.Error.WriteLine($"session {peer}: {opening.Error}; closing it");
                    _metrics.HandshakeFailed(_protocol.Name);
                }
                SessionSocket.Close(_connection);
                return;
            }
            try
            {
                served = _served = _subdaemon.Start(_connection);
            }
            catch (Exception e)
            {
                // A session that cannot start is closed; the daemon keeps accepting.
                Console.Error.WriteLine($"session {peer} could not start: {e.Message}");
                SessionSocket.Close(_connection);
                return;
            }
        }
        await served.Completion;
    }

    /// <summary>Under the lock: once the opening is over its token source is gone, and there is nothing to cancel.</summary>
    private void CancelOpening()
    {
        if (!_opened)
        {
            _opening.Cancel();
        }
    }

    private async ValueTask<Opening> OpenAsync()
    {
        try
        {
            return await _protocol.OpenAsync(_connection, _opening.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return new Opening($"{_protocol.Name.Name()}: {(e is OperationCanceledException ? "opening not done at the deadline" : e.Message)}");
        }
    }
}
