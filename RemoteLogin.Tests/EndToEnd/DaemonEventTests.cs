using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>The events the daemon raises for what happens to its sessions, read from the in-process daemon that raised them.</summary>
public class DaemonEventTests
{
    [Theory]
    [InlineData(SubdaemonModel.Task)]
    [InlineData(SubdaemonModel.Process)]
    public async Task A_session_is_opened_started_and_ended_completed_under_its_peer(SubdaemonModel model)
    {
        IPEndPoint peer;
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive, model);
        using (var client = await ConnectOrSayWhyAsync(daemon))
        {
            peer = Peer(client);
            client.Shutdown(SocketShutdown.Send);
            Assert.Empty(await EchoClient.ReceiveToEndAsync(client));
        }

        await Eventually.AssertAsync(() => daemon.Events.Any(e => e is SessionEnded), "the session's end");
        Assert.Equal([new SessionOpened(peer), new SessionStarted(peer), new SessionEnded(peer, SessionEnd.Of(EchoEnd.Completed))], daemon.Events);
    }

    /// <summary>
    /// Connect and echo, or fail with what the daemon said of it: once under process a clean-clone CI run read end of
    /// stream here instead of the echo, and the events are what tells a child that never started from one that died.
    /// </summary>
    private static async Task<Socket> ConnectOrSayWhyAsync(InProcessDaemon daemon)
    {
        try
        {
            return await EchoClient.ConnectAsync(daemon.Endpoint);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"no echo ({e.Message}); the daemon's events: {string.Join("; ", daemon.Events)}", e);
        }
    }

    [Fact]
    public async Task Every_connection_over_max_sessions_is_one_refused_event_and_the_served_one_is_not()
    {
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { Echo = BufferStrategy.Batched, MaxSessions = 1 });
        using var served = await EchoClient.ConnectAsync(daemon.Endpoint);
        var refused = new List<IPEndPoint>();
        for (int i = 0; i < 3; i++)
        {
            using var over = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await over.ConnectAsync(daemon.Endpoint);
            refused.Add(Peer(over));
            Assert.Equal(0, await EchoClient.ReceiveOrResetAsync(over, new byte[16])); // closed without a byte of service
        }

        await EchoClient.AssertEchoesAsync(served, "still here"u8.ToArray());
        Assert.Equal(refused, daemon.Events.OfType<SessionRefused>().Select(e => e.Peer));
        Assert.Equal([Peer(served)], daemon.Events.OfType<SessionOpened>().Select(e => e.Peer));
    }

    [Fact]
    public async Task A_session_stuck_at_the_drain_deadline_is_one_drain_timeout_and_one_abort_of_that_session()
    {
        var grace = TimeSpan.FromSeconds(0.5);
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { Echo = BufferStrategy.Pipelined, DrainTimeout = grace });
        using var idle = await EchoClient.ConnectAsync(daemon.Endpoint); // drains at once: it has nothing in flight
        _ = CloseAtTheDaemonsFinAsync(idle); // as a client does: the daemon's linger then ends at once
        using var stubborn = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await stubborn.ConnectAsync(daemon.Endpoint);
        var sending = stubborn.SendAsync(new byte[64 << 20].AsMemory(), SocketFlags.None).AsTask();
        _ = sending.ContinueWith(_ => { }, TaskScheduler.Default);
        await StuckAsync(daemon, sending);

        await daemon.Daemon.StopAsync(grace);

        Assert.Equal([new DrainTimedOut(1, grace)], daemon.Events.OfType<DrainTimedOut>());
        Assert.Equal([Peer(stubborn)], daemon.Events.OfType<SessionAborted>().Select(e => e.Peer));
        Assert.Equal(2, daemon.Events.OfType<SessionEnded>().Count()); // the aborted one ended too, and its socket is closed
    }

    private static async Task CloseAtTheDaemonsFinAsync(Socket client)
    {
        try
        {
            while (await client.ReceiveAsync(new byte[256], SocketFlags.None) > 0)
            {
            }
            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Until the daemon's echo of a client that never reads stops moving while the client still has bytes to send:
    /// every buffer back to the client is full, so the session cannot finish, whatever the drain waits.
    /// </summary>
    private static async Task StuckAsync(InProcessDaemon daemon, Task sending)
    {
        long before = -1;
        await Eventually.AssertAsync(() =>
        {
            long now = daemon.Metrics.Usage.Read().Echo.BytesEchoed;
            bool still = now > 0 && now == before;
            before = now;
            return still && !sending.IsCompleted;
        }, "the stubborn session's echo stopped while its client still sends");
    }

    /// <summary>The client as the daemon sees it: IPv4 loopback, whatever the dual-mode socket calls itself.</summary>
    private static IPEndPoint Peer(Socket client)
    {
        var local = (IPEndPoint)client.LocalEndPoint!;
        return new IPEndPoint(local.Address.MapToIPv4(), local.Port);
    }
}
