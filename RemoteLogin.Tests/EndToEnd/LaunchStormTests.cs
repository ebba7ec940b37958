using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>Launching children under the models that start a process per session: bursts, and --prefork.</summary>
public class LaunchStormTests
{
    [Theory]
    [InlineData(SubdaemonModel.Process)]
    [InlineData(SubdaemonModel.Relay)]
    public async Task Prefork_keeps_warm_children_waiting_a_login_takes_one_and_stopping_kills_the_rest(SubdaemonModel model)
    {
        var daemon = InProcessDaemon.Start(new DaemonOptions { Echo = BufferStrategy.Zerocopy, Model = model, Prefork = 2 });
        try
        {
            await Eventually.AssertAsync(() => daemon.Children!.WarmWaiting == 2 && WarmChildren().Count == 2, "two warm children wait before any login");
            var waiting = WarmChildren();
            using (var client = await EchoClient.ConnectAsync(daemon.Endpoint))
            {
                await EchoClient.AssertEchoesAsync(client, "taken warm"u8.ToArray());
                Assert.Single(waiting, Serving); // one of the two that waited serves it
                await Eventually.AssertAsync(() => daemon.Children!.WarmWaiting == 2 && WarmChildren().Count(pid => !Serving(pid)) == 2, "a fresh warm child replaces the one taken");
            }
        }
        finally
        {
            await daemon.DisposeAsync();
        }
        await Eventually.AssertAsync(() => WarmChildren().Count == 0, "no warm child outlives its daemon");
    }

    /// <summary>This process's live children started with --warm, by process id.</summary>
    private static List<int> WarmChildren() =>
        [.. ProcFs.ChildrenOf(Environment.ProcessId).Where(child => !child.IsZombie && ProcFs.CommandLine(child.ProcessId).Contains("--warm")).Select(child => child.ProcessId)];

    /// <summary>A child starts its control thread once it has been handed its session; a warm one still waiting has none.</summary>
    private static bool Serving(int pid) => ProcFs.ThreadNames(pid).Contains("control");

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
