using HdrHistogram;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Client.Typing;

namespace RemoteLogin.Client.Scenarios;

/// <summary>
/// Open loop at a fixed mean rate with exponential gaps (a Poisson typist). Each character is due at its
/// intended time whatever happened to the previous one, and its round trip is measured from that time,
/// so a stall shows up in every character it delays (no coordinated omission). How late the generator itself
/// handed each character over is recorded apart, so a late generator is seen rather than blamed on the daemon.
/// A load run types all its typists on a few <see cref="TypingLoop"/>s; this types one session on the calling thread.
/// </summary>
internal sealed class TypistsScenario(double charsPerSecond) : IScenario
{
    public bool IsClosedLoop => false;

    public double CharsPerSecond => charsPerSecond;

    public void Type(ClientTransport session, long chars, Random random, LongHistogram? lateness)
    {
        var typist = new Typist(0, session, random);
        new TypingLoop([typist], charsPerSecond).Type(chars, lateness);
        if (typist.Failure is { } failure)
        {
            throw new IOException(failure);
        }
    }
}
