using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>A burst of connects that close at once, under the models that start a process per session.</summary>
public class LaunchStormTests
{
    [Theory]
    [InlineData(SubdaemonModel.Process)]
    [InlineData(SubdaemonModel.Relay)]
    public async Task Connections_that_left_while_their_launch_queued_get_no_child_and_a_polite_session_still_echoes(SubdaemonModel model)
    {
        const int Burst = 40;
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model);
        using var polite = await EchoClient.ConnectAsync(daemon.Endpoint);
        for (int i = 0; i < Burst; i++)
        {
            using var gone = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await gone.ConnectAsync(daemon.Endpoint);
        }

        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Count() == Burst, "every connection of the burst ends");
        int skipped = daemon.Events.OfType<SessionEnded>().Count(e => e.End.NotStartedBecause?.Contains("left before") == true);
        Assert.InRange(skipped, Burst - 2 * SubdaemonChildren.MaxConcurrentLaunches - 2, Burst); // only the first few, launched at once, got a child
        await EchoClient.AssertEchoesAsync(polite, "still here"u8.ToArray());
    }
}
