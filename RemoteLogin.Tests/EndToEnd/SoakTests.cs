using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// A short soak (seconds, loopback): while one polite telnet session types throughout, many others misbehave at once:
/// urgent data, AYT floods that rewrite to 4.5 times their size, clients that send and never read, and connects that
/// close at once. The polite session sees every echo, in order; no session fails; the daemon still takes logins after.
/// A longer run is the same test with a larger <see cref="Misbehaving"/>.
/// </summary>
public class SoakTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Misbehaving = TimeSpan.FromSeconds(4);
    private const byte Iac = 255, AreYouThere = 246, DataMark = 242;

    [Theory]
    [InlineData(SubdaemonModel.Task, BufferStrategy.Zerocopy)]
    [InlineData(SubdaemonModel.Thread, BufferStrategy.Pipelined)]
    [InlineData(SubdaemonModel.Process, BufferStrategy.Batched)]
    public async Task A_polite_session_sees_every_echo_while_the_others_misbehave(SubdaemonModel model, BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.Start(new DaemonOptions
        {
            Echo = strategy, Model = model, Protocol = WireProtocol.Telnet,
            MaxSessionsPerSource = 1000, MaxStartups = new StartupLimit(1000, 100, 1000),
        });
        using var stop = new CancellationTokenSource(Misbehaving);
        var misbehaving = new List<Task>();
        for (int i = 0; i < 5; i++)
        {
            misbehaving.Add(Task.Run(() => UrgentAsync(daemon, stop.Token)));
            misbehaving.Add(Task.Run(() => AreYouThereFloodAsync(daemon, stop.Token)));
            misbehaving.Add(Task.Run(() => DeafAsync(daemon, stop.Token)));
            misbehaving.Add(Task.Run(() => ChurnAsync(daemon, stop.Token)));
        }

        using var polite = await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Telnet);
        int typed = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Misbehaving)
        {
            byte key = (byte)('a' + typed++ % 26);
            await polite.SendAsync(new[] { key }, SocketFlags.None);
            Assert.Equal([key], await EchoClient.ReceiveExactlyAsync(polite, 1)); // every echo, in order, or the test fails here
            await Task.Delay(10);
        }
        await Task.WhenAll(misbehaving);

        using var after = await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Telnet);
        await after.SendAsync("still here"u8.ToArray(), SocketFlags.None);
        Assert.Equal("still here"u8.ToArray(), await EchoClient.ReceiveExactlyAsync(after, 10));
        Assert.True(typed > 10, $"the polite session typed only {typed} keys");
        foreach (var kind in daemon.Events.GroupBy(e => e is SessionRefused refused ? $"refused {refused.Reason}" : e is SessionEnded ended && !ended.End.Started ? "not started" : e.GetType().Name))
        {
            output.WriteLine($"{kind.Key}: {kind.Count()}");
        }
        Assert.DoesNotContain(daemon.Events, e => e is SessionEnded { End.Echo.Kind: EchoEndKind.Failed });
    }

    /// <summary>Telnet's synch over and over, each time on a fresh login, reading what comes back.</summary>
    private static async Task UrgentAsync(InProcessDaemon daemon, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await IgnoringBreaksAsync(async () =>
            {
                using var client = await TryLoginAsync(daemon);
                if (client is null)
                {
                    return;
                }
                for (int i = 0; i < 20 && !stop.IsCancellationRequested; i++)
                {
                    await client.SendAsync(new byte[] { (byte)'u', Iac }, SocketFlags.None);
                    await client.SendAsync(new[] { DataMark }, SocketFlags.OutOfBand);
                    Assert.Equal("u"u8.ToArray(), await EchoClient.ReceiveExactlyAsync(client, 1));
                }
            });
        }
    }

    /// <summary>AYT in 32 KB writes, read back slowly: every answer is 9 bytes for 2.</summary>
    private static async Task AreYouThereFloodAsync(InProcessDaemon daemon, CancellationToken stop)
    {
        byte[] flood = [.. Enumerable.Repeat<byte[]>([Iac, AreYouThere], 16 * 1024).SelectMany(b => b)];
        await IgnoringBreaksAsync(async () =>
        {
            using var client = await TryLoginAsync(daemon);
                if (client is null)
                {
                    return;
                }
            var reading = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                while (await client.ReceiveAsync(buffer, SocketFlags.None) > 0)
                {
                    await Task.Delay(1);
                }
            });
            while (!stop.IsCancellationRequested)
            {
                await client.SendAsync(flood, SocketFlags.None, stop);
            }
            client.Shutdown(SocketShutdown.Send);
            await reading;
        });
    }

    /// <summary>Sends until every buffer on the way is full, and never reads.</summary>
    private static async Task DeafAsync(InProcessDaemon daemon, CancellationToken stop)
    {
        await IgnoringBreaksAsync(async () =>
        {
            using var client = await TryLoginAsync(daemon);
                if (client is null)
                {
                    return;
                }
            var chunk = new byte[16 * 1024];
            Array.Fill(chunk, (byte)'d');
            while (!stop.IsCancellationRequested)
            {
                await client.SendAsync(chunk, SocketFlags.None, stop);
            }
        });
    }

    /// <summary>Connects and closes at once, as fast as it can.</summary>
    private static async Task ChurnAsync(InProcessDaemon daemon, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await IgnoringBreaksAsync(async () =>
            {
                using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await client.ConnectAsync(daemon.Endpoint, stop);
            });
        }
    }

    /// <summary>A misbehaver's login, or null when the daemon refused it (a limit) or it broke: it tries again, or not.</summary>
    private static async Task<Socket?> TryLoginAsync(InProcessDaemon daemon)
    {
        try
        {
            return await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Telnet);
        }
        catch (Exception e) when (e is SocketException or IOException or Xunit.Sdk.XunitException)
        {
            return null;
        }
    }

    /// <summary>A misbehaving client's own connection may break or be cut when the soak ends: that is its business.</summary>
    private static async Task IgnoringBreaksAsync(Func<Task> misbehave)
    {
        try
        {
            await misbehave();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or RemoteLogin.Protocols.LoginProtocolException)
        {
        }
    }
}
