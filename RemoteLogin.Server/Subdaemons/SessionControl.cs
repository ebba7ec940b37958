namespace RemoteLogin.Server.Subdaemons;

/// <summary>
/// Drain and abort for one session, whenever they come: before its model has said how to apply them they are
/// remembered, and applied the moment it does. A model attaches what it holds (a socket, a child); the lifecycle
/// drains and aborts through this alone.
/// </summary>
/// <param name="onServing">Called once, when the model says the session is served (<see cref="Serving"/>).</param>
internal sealed class SessionControl(Action? onServing = null)
{
    private readonly Lock _gate = new();
    // Never disposed: an abort may come after the session ended, and token sources without timers hold nothing.
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _aborted = new();
    private Action? _drain;
    private Action? _abort;
    private bool _draining;
    private bool _aborting;

    /// <summary>Cancelled by a drain or an abort: what is still opening has nothing in flight, and stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Cancelled by an abort: an async session ends now.</summary>
    public CancellationToken Aborted => _aborted.Token;

    public bool IsStopping
    {
        get
        {
            lock (_gate)
            {
                return _draining || _aborting;
            }
        }
    }

    /// <summary>How this session drains and aborts besides <see cref="Aborted"/>; applied at once if that has come already.</summary>
    public void Attach(Action? drain = null, Action? abort = null)
    {
        bool aborted, draining;
        lock (_gate)
        {
            (aborted, draining) = (_aborting, _draining);
            _drain += drain;
            _abort += abort;
        }
        if (aborted)
        {
            abort?.Invoke();
        }
        else if (draining)
        {
            drain?.Invoke();
        }
    }

    /// <summary>
    /// The model serves the session now: its echo runs (task, thread) or its child has it (process, relay). Until
    /// then the session counts against --max-startups.
    /// </summary>
    public void Serving() => Interlocked.Exchange(ref onServing, null)?.Invoke();

    /// <summary>Stop taking new input; echo what was already received, then end.</summary>
    public void BeginDrain()
    {
        Action? drain;
        lock (_gate)
        {
            if (_draining || _aborting)
            {
                return;
            }
            _draining = true;
            drain = _drain;
        }
        _stopping.Cancel();
        drain?.Invoke();
    }

    /// <summary>End now, dropping whatever is in flight.</summary>
    public void Abort()
    {
        Action? abort;
        lock (_gate)
        {
            if (_aborting)
            {
                return;
            }
            _aborting = true;
            abort = _abort;
        }
        // Outside the lock: cancelling runs whatever waits on the tokens, and that may be the session's own end.
        _aborted.Cancel();
        _stopping.Cancel();
        abort?.Invoke();
    }
}
