using System.Net.Sockets;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>The daemon's meter as a MeterListener (and so dotnet-counters) sees it.</summary>
public class ServerMeterTests
{
    [Fact]
    public async Task The_meter_publishes_its_instruments_and_counts_the_traffic()
    {
        using var meter = new RecordedMeter();
        await using (var daemon = InProcessDaemon.Start(BufferStrategy.Batched))
        {
            using var client = await EchoThousandBytesAsync(daemon);
            meter.Record();
            Assert.Equal(1, meter.Longs["remotelogin.server.sessions.active[remotelogin.subdaemon=task]"]);
            await CloseAsync(client);
            await daemon.Daemon.StopAsync(TimeSpan.FromSeconds(30));
            meter.Record();
        }

        Assert.Equal(
            new[]
            {
                "remotelogin.server.bytes.echoed", "remotelogin.server.bytes.received",
                "remotelogin.server.echo.bytes_copied", "remotelogin.server.echo.receive_calls", "remotelogin.server.echo.send_calls",
                "remotelogin.server.gc.collections", "remotelogin.server.gc.heap.allocated",
                "remotelogin.server.process.context_switches", "remotelogin.server.process.cpu.time",
                "remotelogin.server.sessions.accepted", "remotelogin.server.sessions.active", "remotelogin.server.sessions.handshake_failures", "remotelogin.server.sessions.rejected",
            },
            meter.Units.Keys.Order().ToArray());
        Assert.Equal("By", meter.Units["remotelogin.server.bytes.received"]);
        Assert.Equal("s", meter.Units["remotelogin.server.process.cpu.time"]);
        Assert.Equal(1000, meter.Longs["remotelogin.server.bytes.received"]);
        Assert.Equal(1000, meter.Longs["remotelogin.server.bytes.echoed"]);
        Assert.InRange(meter.Longs["remotelogin.server.echo.send_calls"], 1, 1000);
        Assert.Equal(1, meter.Longs["remotelogin.server.sessions.accepted[remotelogin.subdaemon=task]"]);
        Assert.True(meter.Longs["remotelogin.server.process.context_switches[remotelogin.process=daemon][process.context_switch_type=voluntary]"] > 0);
        Assert.True(meter.Longs.ContainsKey("remotelogin.server.process.context_switches[remotelogin.process=daemon][process.context_switch_type=involuntary]"));
        Assert.True(meter.Doubles["remotelogin.server.process.cpu.time[remotelogin.process=daemon][cpu.mode=user]"] > 0);
        Assert.True(meter.Doubles.ContainsKey("remotelogin.server.process.cpu.time[remotelogin.process=daemon][cpu.mode=system]"));
        Assert.DoesNotContain(meter.Longs.Keys, key => key.Contains("remotelogin.process=subdaemons")); // no children, no such series
    }

    [Theory]
    [InlineData(SubdaemonModel.Process)]
    [InlineData(SubdaemonModel.Relay)]
    public async Task Children_are_counted_and_what_they_echo_and_spend_reaches_the_daemons_meter(SubdaemonModel model)
    {
        using var meter = new RecordedMeter();
        await using (var daemon = InProcessDaemon.Start(BufferStrategy.Naive, model))
        {
            using var client = await EchoThousandBytesAsync(daemon);
            meter.Record();
            Assert.Equal(1, meter.Longs["remotelogin.server.subdaemon.children.live"]);
            // Live children report on request: the bytes are counted before the session ends.
            Assert.Equal(1000, meter.Longs["remotelogin.server.bytes.echoed"]);
            Assert.True(meter.Longs["remotelogin.server.process.context_switches[remotelogin.process=subdaemons][process.context_switch_type=voluntary]"] > 0);
            await CloseAsync(client);
            await daemon.Daemon.StopAsync(TimeSpan.FromSeconds(30)); // waits for the session, and so for its child to be reaped
            meter.Record();
        }

        Assert.Equal(1, meter.Longs[$"remotelogin.server.sessions.accepted[remotelogin.subdaemon={model.Name()}]"]);
        Assert.Equal(1, meter.Longs["remotelogin.server.subdaemon.children.started"]);
        Assert.Equal(0, meter.Longs["remotelogin.server.subdaemon.children.start_failures"]);
        Assert.Equal(1, meter.Longs["remotelogin.server.subdaemon.children.exited[remotelogin.exit=clean]"]);
        Assert.Equal(0, meter.Longs["remotelogin.server.subdaemon.children.exited[remotelogin.exit=killed]"]);
        Assert.Equal(0, meter.Longs["remotelogin.server.subdaemon.children.live"]);
        Assert.Equal(1000, meter.Longs["remotelogin.server.bytes.received"]);
        Assert.Equal(1000, meter.Longs["remotelogin.server.bytes.echoed"]);
        // Naive: one send per byte where the child owns the socket; the relay sends what the child gave back, as it came.
        Assert.InRange(meter.Longs["remotelogin.server.echo.send_calls"], model == SubdaemonModel.Process ? 1000 : 1, 1000);
        // A reaped child's runtime start alone costs milliseconds of CPU and a managed heap of its own.
        Assert.True(meter.Doubles["remotelogin.server.process.cpu.time[remotelogin.process=subdaemons][cpu.mode=user]"] > 0.001);
        Assert.True(meter.Longs["remotelogin.server.gc.heap.allocated[remotelogin.process=subdaemons]"] > 0);
    }

    [Fact]
    public async Task A_failed_handshake_is_counted_by_protocol_and_the_next_login_is_served()
    {
        using var meter = new RecordedMeter();
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, SubdaemonModel.Task, WireProtocol.Rlogin);
        using (var bad = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await bad.ConnectAsync(daemon.Endpoint);
            await bad.SendAsync("not an rlogin handshake"u8.ToArray(), SocketFlags.None);
            await EchoClient.ReceiveToEndAsync(bad); // refused, then closed
        }

        using var good = await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Rlogin);
        Assert.Equal(1, meter.Read("remotelogin.server.sessions.handshake_failures[remotelogin.protocol=rlogin]"));
        Assert.Equal(2, meter.Read("remotelogin.server.sessions.accepted[remotelogin.subdaemon=task]"));
    }

    private static async Task<Socket> EchoThousandBytesAsync(InProcessDaemon daemon)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(daemon.Endpoint);
        var sent = new byte[1000];
        Random.Shared.NextBytes(sent);
        await client.SendAsync(sent);
        var echoed = new byte[1000];
        for (int got = 0; got < echoed.Length;)
        {
            got += await client.ReceiveAsync(echoed.AsMemory(got));
        }
        Assert.Equal(sent, echoed);
        return client;
    }

    private static async Task CloseAsync(Socket client)
    {
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await client.ReceiveAsync(new byte[1]));
    }
}
