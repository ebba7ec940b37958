using System.Diagnostics;
using HdrHistogram;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// A session's keystroke round trips. One is timed from the moment typed bytes are sent, when no earlier keystroke
/// still awaits its echo, to the first bytes to show that arrive after that. Keys typed while one is outstanding are
/// not timed: their echoes cannot be told apart from the first one's, and guessing would report the typist's speed,
/// not the round trip.
/// </summary>
internal sealed class KeystrokeClock
{
    private readonly LongHistogram _histogram = Latency.NewHistogram();
    private readonly Lock _lock = new();
    private long _outstandingSince; // a Stopwatch timestamp; 0 while nothing is outstanding

    /// <summary>Call just before sending typed bytes.</summary>
    public void Sending() => Interlocked.CompareExchange(ref _outstandingSince, Stopwatch.GetTimestamp(), 0);

    /// <summary>Call when bytes to show arrived, with the timestamp taken as the receive returned.</summary>
    public void Shown(long receivedAt)
    {
        long since = Interlocked.Exchange(ref _outstandingSince, 0);
        if (since != 0)
        {
            lock (_lock)
            {
                _histogram.RecordBetween(since, receivedAt);
            }
        }
    }

    public LatencySummary Summary()
    {
        lock (_lock)
        {
            return LatencySummary.From(_histogram);
        }
    }
}
