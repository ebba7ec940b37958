using System.Diagnostics;
using RemoteLogin.Client.Native;
using RemoteLogin.Client.Strategies;

namespace RemoteLogin.Client.Scenarios;

/// <summary>
/// Open loop at a fixed mean rate with exponential gaps (a Poisson typist). Each character is due at its
/// intended time whatever happened to the previous one, and its round trip is measured from that time,
/// so a stall shows up in every character it delays (no coordinated omission).
/// </summary>
public sealed class TypistsScenario(double charsPerSecond) : IScenario
{
    public bool IsClosedLoop => false;

    public void Type(ClientTransport session, long chars, Random random)
    {
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
            PreciseSleep.Until(due);
            session.Type(1, due);
        }
        session.Drain();
    }
}
