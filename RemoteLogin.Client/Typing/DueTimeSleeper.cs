using System.Diagnostics;
using RemoteLogin.Client.Native;

namespace RemoteLogin.Client.Typing;

/// <summary>
/// Sleeps a typing loop until its next due time. clock_nanosleep (timer slack 1 ns) wakes late by the kernel's and
/// the scheduler's wake-up latency, which on these VMs is tens of microseconds and varies. A fixed spin that covers
/// the worst wake-up costs a core at 10,000 wake-ups a second; instead the sleep aims early by the overshoot seen so
/// far (its running mean), then spins the little that is left when it woke early. Lateness is then the overshoot's
/// spread, not its size, and the spin costs about half that spread per wake-up.
/// </summary>
internal sealed class DueTimeSleeper
{
    /// <summary>The most the sleep aims early: past this a wake-up is an outlier (a preemption), not the usual latency.</summary>
    private static readonly long s_maxLead = Stopwatch.Frequency / 10_000;

    /// <summary>How much of each new overshoot enters the mean: an eighth, so one outlier moves it little.</summary>
    private const int Smoothing = 8;

    private long _lead = Stopwatch.Frequency / 50_000; // 20 µs until the first wake-ups say otherwise

    /// <summary>The current aim-early, in <see cref="Stopwatch"/> ticks.</summary>
    public long LeadTicks => _lead;

    /// <summary>Return at or just after <paramref name="due"/> (at once if it has passed), with the time it returned.</summary>
    public long Until(long due)
    {
        long now = Stopwatch.GetTimestamp();
        if (now >= due)
        {
            return now;
        }
        long wake = due - _lead;
        if (wake > now)
        {
            PreciseSleep.Until(wake);
            now = Stopwatch.GetTimestamp();
            long overshoot = Math.Clamp(now - wake, 0, s_maxLead);
            _lead += (overshoot - _lead) / Smoothing;
        }
        while (now < due)
        {
            Thread.SpinWait(1);
            now = Stopwatch.GetTimestamp();
        }
        return now;
    }
}
