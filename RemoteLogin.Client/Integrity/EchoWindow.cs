using HdrHistogram;
using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Client.Integrity;

/// <summary>
/// The characters a session has typed and not yet seen echoed, in a pinned ring that is also the memory
/// the zero-copy strategy sends from. One producer types; one consumer checks echoes in place and records
/// each round trip from the character's intended send time.
/// </summary>
public sealed class EchoWindow : IDisposable
{
    /// <summary>How far ahead a mismatched echo is looked for before it counts as corrupted; the default text repeats a byte only every 256.</summary>
    private const int ResyncDistance = 64;

    private readonly byte[] _ring;
    private readonly long[] _intendedAt;
    private readonly int _mask;
    private readonly TypedText _text;
    private readonly object _matchLock = new();
    private readonly ManualResetEventSlim _progress = new(false, spinCount: 0);
    private long _typed;
    private long _matched;
    private int _producerWaiting;
    private long _lost, _duplicated, _corrupted;
    // Characters already given up as lost whose echoes may still straggle in: [_lateNext, _lateEnd).
    private long _lateNext, _lateEnd;
    private Suspect? _suspect;

    public EchoWindow(int capacity, TypedText text)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity));
        Capacity = capacity;
        _ring = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        _intendedAt = new long[size];
        _mask = size - 1;
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

    public int Room => Capacity - (int)Outstanding;

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
        long start = _typed;
        for (long index = start; index < start + count; index++)
        {
            _ring[index & _mask] = _text.At(index);
            _intendedAt[index & _mask] = intendedAt;
        }
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
            long matched = _matched;
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
                if (_suspect is { } suspect)
                {
                    _suspect = null;
                    matched = Judge(suspect, echoed[0], matched, typed, arrivedAt);
                    echoed = echoed[1..];
                    continue;
                }
                // Fast path: the longest run equal to what was typed, compared in place.
                int run = (int)Math.Min(Math.Min(echoed.Length, typed - matched), _ring.Length - (matched & _mask));
                int same = echoed[..run].CommonPrefixLength(_ring.AsSpan((int)(matched & _mask), run));
                if (same > 0)
                {
                    RecordRoundTrips(matched, same, arrivedAt);
                    matched += same;
                    echoed = echoed[same..];
                    continue;
                }
                if (matched > 0 && echoed[0] == _text.At(matched - 1))
                {
                    _duplicated++; // the character before, once more
                }
                else
                {
                    _suspect = new Suspect(echoed[0], arrivedAt);
                }
                echoed = echoed[1..];
            }
            Volatile.Write(ref _matched, matched);
        }
        WakeProducer();
    }

    /// <summary>Give up on every outstanding echo: they count as lost (a mismatched one still waiting for judgement, as corrupted).</summary>
    public void MarkOutstandingLost()
    {
        lock (_matchLock)
        {
            long typed = Volatile.Read(ref _typed);
            if (_suspect is not null && _matched < typed)
            {
                _suspect = null;
                _corrupted++;
                _matched++;
            }
            _lost += typed - _matched;
            if (_lateNext >= _lateEnd)
            {
                _lateNext = _matched;
            }
            _lateEnd = typed;
            Volatile.Write(ref _matched, typed);
        }
        WakeProducer();
    }

    /// <summary>Producer side: wait until <paramref name="count"/> more characters fit. False on timeout.</summary>
    public bool WaitForRoom(int count, TimeSpan timeout) => WaitUntil(count, static (w, n) => w.Room >= n, timeout);

    /// <summary>Producer side: wait until every typed character has been echoed. False on timeout.</summary>
    public bool WaitUntilEchoed(TimeSpan timeout) => WaitUntil(0, static (w, _) => w.Outstanding == 0, timeout);

    public void Dispose() => _progress.Dispose();

    /// <summary>
    /// A mismatched echo is judged by the byte after it, since one byte alone cannot tell a corrupted character
    /// from the first one after a gap: only the pair pins down where the stream is.
    /// </summary>
    private long Judge(Suspect suspect, byte next, long matched, long typed, long arrivedAt)
    {
        if (matched + 1 < typed && next == _ring[(matched + 1) & _mask])
        {
            _corrupted++; // the suspect stood where the expected character should have
            RecordRoundTrips(matched + 1, 1, arrivedAt);
            return matched + 2;
        }
        long reach = Math.Min(typed - matched - 2, ResyncDistance);
        for (long skipped = 1; skipped <= reach; skipped++)
        {
            if (suspect.Value == _ring[(matched + skipped) & _mask] && next == _ring[(matched + skipped + 1) & _mask])
            {
                _lost += skipped; // a gap: the characters before the suspect never came back
                RecordRoundTrips(matched + skipped, 1, suspect.ArrivedAt);
                RecordRoundTrips(matched + skipped + 1, 1, arrivedAt);
                return matched + skipped + 2;
            }
        }
        if (matched < typed && next == _ring[matched & _mask])
        {
            _duplicated++; // the suspect was an extra byte, echoing nothing typed
            RecordRoundTrips(matched, 1, arrivedAt);
            return matched + 1;
        }
        if (matched >= typed)
        {
            _duplicated++; // echoes of nothing outstanding
            _suspect = new Suspect(next, arrivedAt);
            return matched;
        }
        _corrupted++; // nothing fits: the suspect was corrupted, and the next byte is the next suspect
        _suspect = new Suspect(next, arrivedAt);
        return matched + 1;
    }

    private void RecordRoundTrips(long from, int count, long arrivedAt)
    {
        if (!Recording)
        {
            return;
        }
        for (long index = from; index < from + count; index++)
        {
            Histogram.RecordBetween(_intendedAt[index & _mask], arrivedAt);
        }
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

    /// <summary>An echoed byte that did not match, waiting for the next one to tell what happened.</summary>
    private readonly record struct Suspect(byte Value, long ArrivedAt);

    private void WakeProducer()
    {
        // Only a waiting producer costs a wake-up; the common case is one interlocked read.
        if (Interlocked.CompareExchange(ref _producerWaiting, 0, 1) == 1)
        {
            _progress.Set();
        }
    }
}
