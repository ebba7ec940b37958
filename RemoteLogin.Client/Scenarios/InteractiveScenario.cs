using HdrHistogram;
using RemoteLogin.Client.Strategies;

namespace RemoteLogin.Client.Scenarios;

/// <summary>Type a character, wait for its echo, repeat: a person who watches the screen.</summary>
internal sealed class InteractiveScenario : IScenario
{
    public bool IsClosedLoop => true;

    public void Type(ClientTransport session, long chars, Random random, LongHistogram? lateness)
    {
        for (long i = 0; i < chars; i++)
        {
            session.RoundTrip();
        }
    }
}
