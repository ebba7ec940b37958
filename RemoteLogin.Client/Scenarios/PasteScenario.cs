using System.Diagnostics;
using HdrHistogram;
using RemoteLogin.Client.Strategies;

namespace RemoteLogin.Client.Scenarios;

/// <summary>
/// A long paste: the text arrives in bursts as large as the window allows, as a terminal read would deliver
/// it, and goes out as fast as the strategy can send it. A paste has no intended time per character, so no lateness.
/// </summary>
internal sealed class PasteScenario : IScenario
{
    public bool IsClosedLoop => false;

    public void Type(ClientTransport session, long chars, Random random, LongHistogram? lateness)
    {
        var window = session.Window;
        int half = Math.Max(1, window.Capacity / 2); // wait for half the window rather than one slot, so bursts stay large
        for (long left = chars; left > 0;)
        {
            // A burst never straddles the ring's wrap, so zerocopy sends each burst from the ring with one call.
            int contiguous = window.Contiguous(window.Typed, half).Length;
            int burst = (int)Math.Min(left, contiguous);
            // Round trips count from the hand-over, so a burst that waits for room in the window pays for it.
            session.Type(burst, Stopwatch.GetTimestamp());
            left -= burst;
        }
        session.Drain();
    }
}
