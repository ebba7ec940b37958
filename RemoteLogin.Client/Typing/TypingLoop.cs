using System.Diagnostics;
using System.Net.Sockets;
using HdrHistogram;
using RemoteLogin.Client.Native;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Typing;

/// <summary>
/// Many typists from one thread: a min-heap of each typist's next event (its next character's due time, or the
/// strategy's flush deadline, whichever is first), a precise sleep until the earliest, then every typist that is
/// due is served. A typist's characters keep their exponential gaps whatever happened to the previous one, so a
/// typist that was held up types its overdue characters at once and each counts its own lateness.
/// <para>
/// Nothing a session does stalls the others: sends never block (what the kernel will not take goes to an async send,
/// and the typist is left alone until it is out), and a typist without room in its window is looked at again later.
/// One held up longer than the echo timeout gives up as a blocking typist would: its window's echoes count lost.
/// </para>
/// </summary>
internal sealed class TypingLoop
{
    /// <summary>
    /// The intended rate one loop serves. Typing a character is one send (a system call of a few microseconds on
    /// loopback, more when it wakes the daemon) plus the check of its echo elsewhere, so one thread keeps up to about
    /// this; more loops only help where a core is free for them.
    /// </summary>
    public const double CharsPerSecondPerLoop = 100_000;

    private readonly Typist[] _typists;
    private readonly PriorityQueue<Typist, long> _events;
    private readonly double _ticksPerChar;
    private readonly long _retryTicks = Stopwatch.Frequency / 1_000; // a held-up typist is looked at again every millisecond
    private readonly DueTimeSleeper _sleeper = new();
    private long _left;
    private bool _finishing;

    public TypingLoop(IReadOnlyList<Typist> typists, double charsPerSecondPerTypist)
    {
        _typists = [.. typists];
        _events = new PriorityQueue<Typist, long>(_typists.Length + 1);
        _ticksPerChar = Stopwatch.Frequency / charsPerSecondPerTypist;
        foreach (var typist in _typists)
        {
            typist.Session.StopBlockingOnSends();
        }
    }

    /// <summary>How many loops a run of <paramref name="sessions"/> typists at <paramref name="charsPerSecondPerTypist"/> each gets.</summary>
    public static int LoopsFor(int sessions, double charsPerSecondPerTypist) =>
        (int)Math.Clamp(Math.Ceiling(sessions * charsPerSecondPerTypist / CharsPerSecondPerLoop), 1, Math.Min(sessions, Environment.ProcessorCount));

    public IReadOnlyList<Typist> Typists => _typists;

    /// <summary>
    /// On the calling thread: the typists type <paramref name="chars"/> characters between them, each on its own
    /// schedule from now on, and this returns once every one was echoed or given up as lost. The phase ends when the
    /// loop's characters are typed, not when each typist has typed a fixed share: a share would leave the slowest
    /// of a thousand Poisson typists typing alone at the end, and the run's rate far below the intended one.
    /// Records into <paramref name="lateness"/> how late each character was handed over (null while not measuring).
    /// A typist that failed in an earlier phase types no more.
    /// </summary>
    public void Type(long chars, LongHistogram? lateness)
    {
        // This thread's sleeps decide when characters leave; the default 50 µs slack would be lateness of our own.
        PreciseSleep.TightenTimerSlack();
        long start = Stopwatch.GetTimestamp();
        _left = chars;
        _finishing = false;
        _events.Clear();
        foreach (var typist in _typists)
        {
            typist.StuckSince = 0;
            if (typist.Failure is null && _left > 0)
            {
                typist.Due = start + Gap(typist);
                _events.Enqueue(typist, typist.Due);
            }
        }
        while (_events.TryPeek(out _, out long earliest))
        {
            long now = _sleeper.Until(earliest);
            while (_events.TryPeek(out var typist, out long at) && at <= now)
            {
                _events.Dequeue();
                long next = Serve(typist, now, lateness);
                if (next != long.MaxValue)
                {
                    _events.Enqueue(typist, next);
                }
                if (_left == 0 && !_finishing)
                {
                    KeepOnlyWhatIsStillToSend(now);
                }
                now = Stopwatch.GetTimestamp();
            }
        }
        Drain();
    }

    /// <summary>The last character is typed: only typists with characters held back or still in the background stay.</summary>
    private void KeepOnlyWhatIsStillToSend(long now)
    {
        _finishing = true;
        _events.Clear();
        foreach (var typist in _typists)
        {
            var session = typist.Session;
            if (typist.Failure is null && (session.IsSending || session.FlushDeadline != long.MaxValue))
            {
                _events.Enqueue(typist, session.IsSending ? now : session.FlushDeadline);
            }
        }
    }

    /// <summary>Do what is due for one typist; the time it next needs serving, or <see cref="long.MaxValue"/> when it is done.</summary>
    private long Serve(Typist typist, long now, LongHistogram? lateness)
    {
        var session = typist.Session;
        try
        {
            if (session.IsSending)
            {
                return HeldUp(typist, now);
            }
            session.ThrowIfSendFailed(); // before anything else is sent behind a background send that failed
            if (_left > 0 && typist.Due <= now && !MakeRoom(session))
            {
                return HeldUp(typist, now);
            }
            if (session.FlushDeadline <= now)
            {
                session.FlushWithoutWaiting();
            }
            else if (_left > 0 && typist.Due <= now)
            {
                long handedOver = Stopwatch.GetTimestamp();
                session.Type(1, typist.Due);
                lateness?.RecordBetween(typist.Due, handedOver);
                _left--;
                typist.Due += Gap(typist);
            }
            typist.StuckSince = 0;
            if (session.IsSending)
            {
                return now + _retryTicks;
            }
            return Math.Min(_left > 0 ? typist.Due : long.MaxValue, session.FlushDeadline);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            typist.Fail(e.Message); // a broken connection ends this typist, not the run
            return long.MaxValue;
        }
    }

    /// <summary>Whether the window has room for one more character, after sending what the strategy holds back.</summary>
    private static bool MakeRoom(Strategies.ClientTransport session)
    {
        if (session.Window.Room > 0)
        {
            return true;
        }
        if (session.FlushDeadline != long.MaxValue && !session.IsSending)
        {
            session.FlushWithoutWaiting(); // held-back characters fill the window too; only sending them makes room
        }
        return false;
    }

    /// <summary>
    /// The typist cannot go on yet: look again soon. Held up past the echo timeout, it gives up as a blocking typist
    /// would: with no room, its outstanding echoes count lost and it types on; with a send that never went out, it stops.
    /// </summary>
    private long HeldUp(Typist typist, long now)
    {
        if (typist.StuckSince == 0)
        {
            typist.StuckSince = now;
            return now + _retryTicks;
        }
        if (Stopwatch.GetElapsedTime(typist.StuckSince, now) < typist.Session.EchoTimeout)
        {
            return now + _retryTicks;
        }
        if (typist.Session.IsSending)
        {
            typist.Fail($"a send has not gone out in {typist.Session.EchoTimeout.TotalSeconds:0.#} s");
            typist.Session.Abandon(); // ends the send still waiting, so closing the session later waits for nothing
            return long.MaxValue;
        }
        typist.Session.Window.MarkOutstandingLost();
        typist.StuckSince = 0;
        return now;
    }

    /// <summary>Every typist has typed its share: wait for the last echoes, all against one deadline.</summary>
    private void Drain()
    {
        long started = Stopwatch.GetTimestamp();
        foreach (var typist in _typists)
        {
            if (typist.Failure is not null)
            {
                continue;
            }
            var left = typist.Session.EchoTimeout - Stopwatch.GetElapsedTime(started);
            if (!typist.Session.Window.WaitUntilEchoed(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                typist.Session.Window.MarkOutstandingLost();
            }
        }
    }

    /// <summary>The gap before a typist's next character: exponential, so the typist is a Poisson source at the rate.</summary>
    private long Gap(Typist typist) => (long)(-Math.Log(1 - typist.Gaps.NextDouble()) * _ticksPerChar);
}
