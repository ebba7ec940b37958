using System.Diagnostics;
using HdrHistogram;
using RemoteLogin.Client.Native;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Scenarios;

/// <summary>
/// Open loop at a fixed mean rate with exponential gaps (a Poisson typist). Each character is due at its
/// intended time whatever happened to the previous one, and its round trip is measured from that time,
/// so a stall shows up in every character it delays (no coordinated omission). How late the generator itself
/// handed each character over is recorded apart, so a late generator is seen rather than blamed on the daemon.
/// </summary>
public sealed class TypistsScenario(double charsPerSecond) : IScenario
{
    public bool IsClosedLoop => false;

    public void Type(ClientTransport session, long chars, Random random, LongHistogram? lateness)
    {
        // This thread's sleeps decide when characters leave; the default 50 µs slack would be lateness of our own.
        PreciseSleep.TightenTimerSlack();
        double ticksPerChar = Stopwatch.Frequency / charsPerSecond;
        long due = Stopwatch.GetTimestamp();
        for (long i = 0; i < chars; i++)
        {
            due += (long)(-Math.Log(1 - random.NextDouble()) * ticksPerChar);
            while (session.FlushDeadline < due)
            {
                PreciseSleep.Until(session.FlushDeadline);
                session.Flush();
            }
            PreciseSleep.UntilExactly(due);
            long handedOver = Stopwatch.GetTimestamp();
            session.Type(1, due);
            lateness?.RecordBetween(due, handedOver);
        }
        session.Drain();
    }
}
