using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Native;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Strategies;

/// <summary>What shapes a session's buffering besides the strategy itself.</summary>
internal sealed record TransportSettings(int Window, int BatchSize, TimeSpan BatchDelay, TimeSpan EchoTimeout)
{
    public static TransportSettings Default { get; } = new(4096, 64, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5));
}

/// <summary>
/// One session's connection as a client buffer strategy drives it. Characters are typed into the session's
/// <see cref="EchoWindow"/>; the strategy decides how they reach the socket and how echoes come back to be checked.
/// Typing happens on one thread (the simulated user, or a typing loop that serves many); echoes may be read on another.
/// </summary>
internal abstract class ClientTransport : IDisposable
{
    // Sends that would have blocked, in order, for the async sender to finish: only ever written by the typing thread
    // while no async send runs, and read by that sender while the typing thread leaves the session alone.
    private readonly List<ReadOnlyMemory<byte>> _backlog = new(2);
    private bool _nonBlocking;
    private Task? _stall;

    protected ClientTransport(Socket socket, EchoWindow window, TransportSettings settings)
    {
        Socket = socket;
        Window = window;
        Settings = settings;
    }

    public EchoWindow Window { get; }

    protected Socket Socket { get; }

    protected TransportSettings Settings { get; }

    /// <summary>How long a missing echo, or a window with no room, is waited for before it counts as lost.</summary>
    public TimeSpan EchoTimeout => Settings.EchoTimeout;

    /// <summary>Whether <see cref="StopBlockingOnSends"/> was called: a strategy's own send must then not wait either.</summary>
    protected bool SendsWithoutBlocking => _nonBlocking;

    /// <summary>The <see cref="Stopwatch"/> timestamp by which characters held back must be sent; <see cref="long.MaxValue"/> when none are.</summary>
    public virtual long FlushDeadline => long.MaxValue;

    /// <summary>
    /// A send that would have blocked is still finishing in the background: a typing loop leaves the session alone
    /// until it has (<see cref="ThrowIfSendFailed"/> then says whether it went out).
    /// </summary>
    public bool IsSending => _stall is { IsCompleted: false };

    /// <summary>Open loop: read echoes in the background from now on, so typing never waits for them.</summary>
    public abstract void StartReceiving();

    /// <summary>
    /// From now on no send waits for the socket: what the kernel will not take at once goes to an async send, and
    /// <see cref="IsSending"/> says so. For a typing loop that serves many sessions from one thread; one character at a time.
    /// </summary>
    public void StopBlockingOnSends()
    {
        Socket.Blocking = false;
        _nonBlocking = true;
    }

    /// <summary>Rethrow what broke the last send that went to the background, once it is over.</summary>
    public void ThrowIfSendFailed()
    {
        if (_stall is { IsCompleted: true } stall)
        {
            _stall = null;
            stall.GetAwaiter().GetResult();
        }
    }

    /// <summary>Send whatever the strategy holds back.</summary>
    public virtual void Flush()
    {
    }

    /// <summary>Type <paramref name="count"/> characters that the user meant to send at <paramref name="intendedAt"/>.</summary>
    public void Type(int count, long intendedAt)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Window.Capacity);
        if (Window.Room < count)
        {
            Flush(); // held-back characters fill the window too; only sending them makes room
            if (!Window.WaitForRoom(count, Settings.EchoTimeout))
            {
                Window.MarkOutstandingLost();
            }
        }
        long first = Window.Typed;
        Window.Type(count, intendedAt);
        Send(first, count);
        StartBacklog();
    }

    /// <summary>
    /// A typing loop's flush: like <see cref="Flush"/>, but what would block goes to the background (<see cref="IsSending"/>).
    /// </summary>
    public void FlushWithoutWaiting()
    {
        Flush();
        StartBacklog();
    }

    /// <summary>Closed loop: type one character now and return once its echo is in (or given up as lost).</summary>
    public void RoundTrip()
    {
        Type(1, Stopwatch.GetTimestamp());
        FlushWhenDue();
        ReceiveUntilEchoed();
    }

    /// <summary>Wait out the strategy's hold-back, then send.</summary>
    public void FlushWhenDue()
    {
        while (FlushDeadline != long.MaxValue)
        {
            PreciseSleep.Until(FlushDeadline);
            Flush();
        }
    }

    /// <summary>Open loop: send what is held back and wait for every echo; what does not come back in time is lost.</summary>
    public void Drain()
    {
        FlushWhenDue();
        if (!Window.WaitUntilEchoed(Settings.EchoTimeout))
        {
            Window.MarkOutstandingLost();
        }
    }

    /// <summary>End the session: no more typing, then wait for the daemon to echo the rest and close.</summary>
    public abstract void Close();

    public virtual void Dispose()
    {
        Socket.Dispose();
        Window.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Before closing: let a send still in the background finish, and make sends block again, so what <see cref="Close"/>
    /// flushes goes out whole and after it. A background send that failed, or did not finish in the echo timeout, leaves
    /// a stream with a hole in it: nothing may be sent behind it, so the session is given up (its outstanding echoes
    /// lost, its socket closed) and the caller hears why, as an <see cref="IOException"/> like any broken connection.
    /// </summary>
    protected void SettleSends()
    {
        if (_stall is { } stall)
        {
            _stall = null;
            bool wentOut;
            try
            {
                wentOut = stall.Wait(Settings.EchoTimeout);
            }
            catch (AggregateException)
            {
                wentOut = false;
            }
            if (!wentOut)
            {
                Abandon();
                throw new IOException($"a send had not gone out when the session closed ({stall.Exception?.InnerException?.Message ?? "still waiting for the daemon to read"})");
            }
        }
        if (_nonBlocking)
        {
            _nonBlocking = false;
            Socket.Blocking = true;
        }
    }

    /// <summary>
    /// Give the session up: its outstanding echoes count lost and its socket closes, which also ends a send still
    /// waiting in the background (so closing it later waits for nothing).
    /// </summary>
    public void Abandon()
    {
        Window.MarkOutstandingLost();
        Socket.Dispose();
    }

    /// <summary>
    /// One send of all of <paramref name="bytes"/>, which the kernel copies out of this process. Blocking, unless
    /// <see cref="StopBlockingOnSends"/>: then what the kernel does not take now is sent in the background. The memory
    /// must stay as it is until then: the window's ring does (nothing is echoed before it is sent) and a batch
    /// buffer does (the typing loop does not type into a session that <see cref="IsSending"/>).
    /// </summary>
    protected void SendCopied(ReadOnlyMemory<byte> bytes)
    {
        if (!_nonBlocking)
        {
            Socket.Send(bytes.Span);
            CopyTally.ThisClient.OutOfUser(bytes.Length);
            return;
        }
        if (_backlog.Count > 0)
        {
            _backlog.Add(bytes); // behind what is already waiting, so the bytes keep their order
            return;
        }
        int sent = Socket.Send(bytes.Span, SocketFlags.None, out var error);
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            throw new SocketException((int)error);
        }
        sent = Math.Max(sent, 0);
        CopyTally.ThisClient.OutOfUser(sent);
        if (sent < bytes.Length)
        {
            _backlog.Add(bytes[sent..]);
        }
    }

    /// <summary>A strategy whose own send went to the background (a pipe's flush) hands its completion over here.</summary>
    protected void SendingInBackground(Task completion) => _stall = completion;

    /// <summary>Characters [<paramref name="first"/>, +<paramref name="count"/>) were just typed into the window: put them on their way.</summary>
    protected abstract void Send(long first, int count);

    /// <summary>Closed loop: wait on this thread until every typed character has been echoed.</summary>
    protected abstract void ReceiveUntilEchoed();

    private void StartBacklog()
    {
        if (_backlog.Count > 0)
        {
            _stall = SendBacklogAsync();
        }
    }

    /// <summary>The daemon is not reading fast enough: send the rest as the socket takes it, on the socket engine.</summary>
    private async Task SendBacklogAsync()
    {
        try
        {
            foreach (var bytes in _backlog)
            {
                for (var rest = bytes; !rest.IsEmpty;)
                {
                    int sent = await Socket.SendAsync(rest, SocketFlags.None);
                    CopyTally.ThisClient.OutOfUser(sent);
                    rest = rest[sent..];
                }
            }
        }
        finally
        {
            _backlog.Clear();
        }
    }
}
