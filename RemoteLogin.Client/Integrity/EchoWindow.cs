using System.Diagnostics;
using HdrHistogram;
using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Client.Integrity;

/// <summary>
/// The characters a session has typed and not yet seen echoed, in a pinned ring that is also the memory
/// the zero-copy strategy sends from. One producer types; one consumer checks echoes in place and records
/// each round trip from the character's intended send time.
/// </summary>
/// <remarks>
/// Characters typed together share one intended time, kept once for the run (a segment: its first index and the
/// time) rather than once per character, so a paste's megabytes in flight cost a few segments and a matched receive
/// records each segment it covers with one histogram call. Segments live in a ring that grows as the producer needs
/// it (a typist's few outstanding keystrokes keep it small) up to <see cref="MaxSegments"/>.
/// </remarks>
internal sealed class EchoWindow : IDisposable
{
    /// <summary>
    /// How far ahead the echo of a mismatched byte is looked for before it counts as corrupted: as far as a keystroke
    /// scenario's window (ScenarioDefaults.KeystrokeWindow), so a lost stretch of any length a typist can hold is found.
    /// A paste's window is larger; a longer lost stretch there is counted as corrupted echoes, not as lost ones. Reaching
    /// further would cost every judgement that much more search, and four echoes of evidence would start to match by
    /// chance (about one place in fifty million each).
    /// </summary>
    private const int ResyncDistance = 4096;

    /// <summary>
    /// Echoes that judge a mismatch: the mismatched byte and the three after it. The text has no period, so a pair of
    /// bytes found further on could be chance (about one in 85 squared per place, over thousands of places); four
    /// make that about one in fifty million per place.
    /// </summary>
    private const int Evidence = 4;

    /// <summary>The most runs that may await their echoes at once: 1 MB of segments, room for any window of keystrokes typed one by one.</summary>
    private const int MaxSegments = 64 * 1024;

    private const int InitialSegments = 16;

    private readonly byte[] _ring;
    private readonly int _mask;
    // Runs typed together, by index: segment s starts at _segments[s & mask].First and ends where s + 1 starts (the
    // last, at _typed). [_segmentsRetired, _segmentsTyped) are live; the producer writes, grows and publishes them,
    // the consumer reads and retires them under _matchLock. The last is never retired, so a run of the same time
    // can always extend it.
    private Segment[] _segments;
    private long _segmentsTyped;
    private long _segmentsRetired;
    private long _checkTicks;
    private readonly TypedText _text;
    private readonly object _matchLock = new();
    private readonly ManualResetEventSlim _progress = new(false, spinCount: 0);
    private long _typed;
    private long _matched;
    private int _producerWaiting;
    private long _lost, _duplicated, _corrupted;
    // Characters already given up as lost whose echoes may still straggle in: [_lateNext, _lateEnd).
    private long _lateNext, _lateEnd;
    // Characters matched already whose echoes come again, the stream having stepped back: [_replayNext, _replayEnd).
    private long _replayNext, _replayEnd;
    // Echoes held for judgement since the first mismatch, with when each arrived.
    private readonly byte[] _held = new byte[Evidence];
    private readonly long[] _heldAt = new long[Evidence];
    private int _heldCount;

    public EchoWindow(int capacity, TypedText text)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity));
        Capacity = capacity;
        _ring = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        _mask = size - 1;
        _segments = new Segment[Math.Min(size, InitialSegments)];
        _text = text;
    }

    /// <summary>The most characters that may be awaiting their echo at once.</summary>
    public int Capacity { get; }

    /// <summary>Round trips of matched echoes while recording is on.</summary>
    public IntHistogram Histogram { get; } = Latency.NewSessionHistogram();

    /// <summary>Whether matched round trips go into <see cref="Histogram"/>; switched only while nothing is outstanding.</summary>
    public bool Recording { get; set; }

    public long Typed => Volatile.Read(ref _typed);

    public long Outstanding => Volatile.Read(ref _typed) - Volatile.Read(ref _matched);

    /// <summary>How many more characters may be typed now: the window's free room, none while every segment is live.</summary>
    public int Room => SegmentsFull ? 0 : Capacity - (int)Outstanding;

    /// <summary><see cref="Stopwatch"/> ticks spent inside <see cref="Match"/>: how much of the client's time the echo check takes.</summary>
    public long CheckTicks => Volatile.Read(ref _checkTicks);

    private bool SegmentsFull => Volatile.Read(ref _segmentsTyped) - Volatile.Read(ref _segmentsRetired) >= MaxSegments;

    public IntegrityCounts Integrity
    {
        get
        {
            lock (_matchLock)
            {
                return new IntegrityCounts(_lost, _duplicated, _corrupted);
            }
        }
    }

    /// <summary>Type <paramref name="count"/> characters (at most <see cref="Room"/>) meant to leave at <paramref name="intendedAt"/>.</summary>
    public void Type(int count, long intendedAt)
    {
        if (count <= 0)
        {
            return;
        }
        long start = _typed;
        int offset = (int)(start & _mask);
        int first = Math.Min(count, _ring.Length - offset);
        _text.Fill(start, _ring.AsSpan(offset, first));
        if (first < count)
        {
            _text.Fill(start + first, _ring.AsSpan(0, count - first));
        }
        AddSegment(start, intendedAt);
        // Publishes the characters and their segment together: the consumer reads _typed before either.
        Volatile.Write(ref _typed, start + count);
    }

    /// <summary>The typed characters from <paramref name="index"/> on that lie contiguous in the ring, at most <paramref name="maxCount"/>.</summary>
    public Memory<byte> Contiguous(long index, int maxCount)
    {
        int offset = (int)(index & _mask);
        return _ring.AsMemory(offset, Math.Min(maxCount, _ring.Length - offset));
    }

    /// <summary>Check echoed bytes in place against what was typed; <paramref name="arrivedAt"/> is when the receive returned.</summary>
    public void Match(ReadOnlySpan<byte> echoed, long arrivedAt)
    {
        lock (_matchLock)
        {
            // Timed inside the lock, so a wait for it is not checking; counted before the matches are published, so
            // whoever sees the last echo in sees its check's time too.
            long started = Stopwatch.GetTimestamp();
            Consume(echoed, arrivedAt);
            Volatile.Write(ref _checkTicks, _checkTicks + Stopwatch.GetTimestamp() - started);
            PublishMatched();
        }
        WakeProducer();
    }

    /// <summary>
    /// The session has received all it will: judge echoes still held on what came (a byte after everything was
    /// matched is a duplicate; one while characters were outstanding, corrupted unless what followed it says more).
    /// </summary>
    public void Settle()
    {
        lock (_matchLock)
        {
            SettleHeld();
            PublishMatched();
        }
        WakeProducer();
    }

    /// <summary>Give up on every outstanding echo: they count as lost (held echoes are judged first, on what came).</summary>
    public void MarkOutstandingLost()
    {
        lock (_matchLock)
        {
            SettleHeld();
            long typed = Volatile.Read(ref _typed);
            _lost += typed - _matched;
            if (_lateNext >= _lateEnd)
            {
                _lateNext = _matched;
            }
            _lateEnd = typed;
            _matched = typed;
            PublishMatched();
        }
        WakeProducer();
    }

    /// <summary>Producer side: wait until <paramref name="count"/> more characters fit. False on timeout.</summary>
    public bool WaitForRoom(int count, TimeSpan timeout) => WaitUntil(count, static (w, n) => w.Room >= n, timeout);

    /// <summary>Producer side: wait until every typed character has been echoed. False on timeout.</summary>
    public bool WaitUntilEchoed(TimeSpan timeout) => WaitUntil(0, static (w, _) => w.Outstanding == 0, timeout);

    public void Dispose() => _progress.Dispose();

    private void Consume(ReadOnlySpan<byte> echoed, long arrivedAt)
    {
        long typed = Volatile.Read(ref _typed);
        while (!echoed.IsEmpty)
        {
            if (_lateNext < _lateEnd)
            {
                if (echoed[0] == _text.At(_lateNext))
                {
                    _lateNext++; // a late echo of a character counted lost already
                    echoed = echoed[1..];
                    continue;
                }
                _lateNext = _lateEnd;
            }
            if (_replayNext < _replayEnd && _heldCount == 0)
            {
                if (echoed[0] == _text.At(_replayNext))
                {
                    _replayNext++;
                    _duplicated++; // a character echoed again in a stretch that came twice
                    echoed = echoed[1..];
                    continue;
                }
                _replayNext = _replayEnd;
            }
            if (_heldCount > 0)
            {
                Hold(echoed[0], arrivedAt);
                echoed = echoed[1..];
                if (_heldCount == Evidence)
                {
                    Judge();
                }
                continue;
            }
            // Fast path: the longest run equal to what was typed, compared in place.
            long matched = _matched;
            int run = (int)Math.Min(Math.Min(echoed.Length, typed - matched), _ring.Length - (matched & _mask));
            int same = echoed[..run].CommonPrefixLength(_ring.AsSpan((int)(matched & _mask), run));
            if (same > 0)
            {
                RecordRoundTrips(matched, same, arrivedAt);
                _matched = matched + same;
                echoed = echoed[same..];
                continue;
            }
            if (matched >= typed)
            {
                _duplicated++; // an echo of nothing outstanding: an extra byte, whatever its value
            }
            else if (matched > 0 && echoed[0] == _text.At(matched - 1))
            {
                _duplicated++; // the character before, once more
            }
            else
            {
                Hold(echoed[0], arrivedAt);
            }
            echoed = echoed[1..];
        }
    }

    private void Hold(byte echo, long arrivedAt)
    {
        _held[_heldCount] = echo;
        _heldAt[_heldCount] = arrivedAt;
        _heldCount++;
    }

    /// <summary>Judge what is held until nothing is, however few echoes came after the first mismatch.</summary>
    private void SettleHeld()
    {
        while (_heldCount > 0)
        {
            Judge();
        }
    }

    /// <summary>
    /// The first held echo did not match: the ones after it tell what happened, since one byte alone cannot tell a
    /// corrupted character from the first one after a gap. The simplest account that fits every held echo wins
    /// (one fault before several: corrupted, one extra byte, then a gap, then a stretch echoed again); the echoes
    /// after the first are then checked again as if they had just come.
    /// </summary>
    private void Judge()
    {
        Span<byte> held = stackalloc byte[Evidence];
        Span<long> heldAt = stackalloc long[Evidence];
        int count = _heldCount;
        _held.AsSpan(0, count).CopyTo(held);
        _heldAt.AsSpan(0, count).CopyTo(heldAt);
        held = held[..count];
        _heldCount = 0;

        long matched = _matched;
        long typed = Volatile.Read(ref _typed);
        var after = held[1..];
        int judgeAgainFrom = 1;
        if (matched >= typed)
        {
            _duplicated++; // nothing was outstanding: an extra byte
        }
        else if (Fits(after, matched + 1, typed))
        {
            _corrupted++; // the first stood where the expected character should have
            _matched = matched + 1;
        }
        else if (Fits(after, matched, typed))
        {
            _duplicated++; // the first was an extra byte, echoing nothing typed
        }
        else if (Gap(held, matched, typed) is long skipped and > 0)
        {
            _lost += skipped; // the characters before the first never came back
            RecordRoundTrips(matched + skipped, 1, heldAt[0]);
            _matched = matched + skipped + 1;
        }
        else if (Repeat(held, matched, typed) is long back and > 0)
        {
            // The echoes stepped back: the last characters come again, each a duplicate as it arrives.
            _replayNext = matched - back;
            _replayEnd = matched;
            judgeAgainFrom = 0;
        }
        else
        {
            _corrupted++; // nothing fits: the first was corrupted, and what followed is judged anew
            _matched = matched + 1;
        }
        for (int i = judgeAgainFrom; i < count; i++)
        {
            Consume(held.Slice(i, 1), heldAt[i]);
        }
    }

    /// <summary>Whether <paramref name="echoes"/> are the typed characters from <paramref name="from"/> on.</summary>
    private bool Fits(ReadOnlySpan<byte> echoes, long from, long typed)
    {
        if (from + echoes.Length > typed)
        {
            return false;
        }
        for (int i = 0; i < echoes.Length; i++)
        {
            if (echoes[i] != _ring[(from + i) & _mask])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// How far back the echoes started again, if <paramref name="echoes"/> are the text from that far back on, else 0.
    /// Earlier characters may have left the ring, so they are read from the text.
    /// </summary>
    private long Repeat(ReadOnlySpan<byte> echoes, long matched, long typed)
    {
        long reach = Math.Min(matched, ResyncDistance);
        for (long back = 1; back <= reach; back++)
        {
            long from = matched - back;
            if (from + echoes.Length > typed)
            {
                continue;
            }
            int i = 0;
            while (i < echoes.Length && echoes[i] == _text.At(from + i))
            {
                i++;
            }
            if (i == echoes.Length)
            {
                return back;
            }
        }
        return 0;
    }

    /// <summary>The shortest gap after which the typed characters are <paramref name="echoes"/>, or 0 when none is in reach.</summary>
    private long Gap(ReadOnlySpan<byte> echoes, long matched, long typed)
    {
        long reach = Math.Min(typed - matched - echoes.Length, ResyncDistance);
        for (long skipped = 1; skipped <= reach; skipped++)
        {
            if (Fits(echoes, matched + skipped, typed))
            {
                return skipped;
            }
        }
        return 0;
    }

    /// <summary>
    /// Record the round trips of characters [<paramref name="from"/>, +<paramref name="count"/>), all arrived at
    /// <paramref name="arrivedAt"/>: one histogram call for each segment the run covers, since a segment's characters
    /// share their intended time. Only characters not yet matched are recorded, so their segments are live.
    /// </summary>
    private void RecordRoundTrips(long from, int count, long arrivedAt)
    {
        if (!Recording)
        {
            return;
        }
        var segments = _segments;
        int mask = segments.Length - 1;
        long typed = Volatile.Read(ref _typed);
        long live = Volatile.Read(ref _segmentsTyped);
        long s = _segmentsRetired;
        while (s + 1 < live && segments[(s + 1) & mask].First <= from)
        {
            s++;
        }
        long end = from + count;
        while (from < end)
        {
            long segmentEnd = s + 1 < live ? segments[(s + 1) & mask].First : typed;
            long run = Math.Min(end, segmentEnd) - from;
            Histogram.RecordValueWithCount(Latency.NanosBetween(segments[s & mask].IntendedAt, arrivedAt), run);
            from += run;
            s++;
        }
    }

    /// <summary>Producer side: the run typed from <paramref name="first"/> on leaves at <paramref name="intendedAt"/>.</summary>
    private void AddSegment(long first, long intendedAt)
    {
        long typedSegments = _segmentsTyped;
        var segments = _segments;
        if (typedSegments > Volatile.Read(ref _segmentsRetired) && segments[(typedSegments - 1) & (segments.Length - 1)].IntendedAt == intendedAt)
        {
            return; // typed with the last run's time: the run goes on, and the last segment is never retired
        }
        if (typedSegments - Volatile.Read(ref _segmentsRetired) == segments.Length)
        {
            segments = GrowSegments();
        }
        segments[typedSegments & (segments.Length - 1)] = new Segment(first, intendedAt);
        Volatile.Write(ref _segmentsTyped, typedSegments + 1);
    }

    /// <summary>Producer side: twice the segments, copied under the consumer's lock so it never reads a ring half moved.</summary>
    private Segment[] GrowSegments()
    {
        lock (_matchLock)
        {
            var old = _segments;
            long retired = _segmentsRetired;
            long typedSegments = _segmentsTyped;
            if (typedSegments - retired < old.Length)
            {
                return old; // the consumer retired some meanwhile
            }
            if (old.Length >= MaxSegments)
            {
                throw new InvalidOperationException($"more than {MaxSegments} runs typed apart await their echoes: type at most Room characters");
            }
            var grown = new Segment[old.Length * 2];
            for (long s = retired; s < typedSegments; s++)
            {
                grown[s & (grown.Length - 1)] = old[s & (old.Length - 1)];
            }
            _segments = grown;
            return grown;
        }
    }

    /// <summary>
    /// Consumer side, under the lock: retire every segment wholly before how far echoes matched but the last, and
    /// write that point once more with a barrier. Consume has moved it forward already with plain stores, which the
    /// producer may see early through Room and Outstanding: harmless, since it only moves forward and a slot of the
    /// ring is freed only once its byte has been compared.
    /// </summary>
    private void PublishMatched()
    {
        var segments = _segments;
        int mask = segments.Length - 1;
        long live = Volatile.Read(ref _segmentsTyped);
        long s = _segmentsRetired;
        while (s + 1 < live && segments[(s + 1) & mask].First <= _matched)
        {
            s++;
        }
        Volatile.Write(ref _segmentsRetired, s);
        Volatile.Write(ref _matched, _matched);
    }

    private bool WaitUntil(int argument, Func<EchoWindow, int, bool> condition, TimeSpan timeout)
    {
        if (condition(this, argument))
        {
            return true;
        }
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            _progress.Reset();
            Interlocked.Exchange(ref _producerWaiting, 1);
            if (condition(this, argument))
            {
                Volatile.Write(ref _producerWaiting, 0);
                return true;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !_progress.Wait(TimeSpan.FromMilliseconds(left)))
            {
                Volatile.Write(ref _producerWaiting, 0);
                return condition(this, argument);
            }
        }
    }

    private void WakeProducer()
    {
        // Only a waiting producer costs a wake-up; the common case is one interlocked read.
        if (Interlocked.CompareExchange(ref _producerWaiting, 0, 1) == 1)
        {
            _progress.Set();
        }
    }

    private readonly record struct Segment(long First, long IntendedAt);
}
