using System.Diagnostics.Metrics;
using System.Net.Sockets;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>The daemon's meter as a MeterListener (and so dotnet-counters) sees it.</summary>
public class ServerMeterTests
{
    [Fact]
    public async Task The_meter_publishes_its_instruments_and_counts_the_traffic()
    {
        var longs = new Dictionary<string, long>();
        var doubles = new Dictionary<string, double>();
        var units = new Dictionary<string, string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServerMetrics.MeterName)
            {
                units[instrument.Name] = instrument.Unit;
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (longs)
            {
                string key = instrument.Name + string.Concat(tags.ToArray().Select(t => $"[{t.Key}={t.Value}]"));
                longs[key] = instrument is Counter<long> ? longs.GetValueOrDefault(key) + value : value;
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (doubles)
            {
                doubles[instrument.Name + string.Concat(tags.ToArray().Select(t => $"[{t.Key}={t.Value}]"))] = value;
            }
        });
        listener.Start();

        await using (var daemon = InProcessDaemon.Start(BufferStrategy.Batched))
        {
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await client.ConnectAsync(daemon.Endpoint);
            var sent = new byte[1000];
            await client.SendAsync(sent);
            var echoed = new byte[1000];
            for (int got = 0; got < echoed.Length;)
            {
                got += await client.ReceiveAsync(echoed.AsMemory(got));
            }
            listener.RecordObservableInstruments();
            Assert.Equal(1, longs["remotelogin.server.sessions.active"]);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await client.ReceiveAsync(echoed.AsMemory()));
        }
        listener.RecordObservableInstruments();

        Assert.Equal(
            new[]
            {
                "remotelogin.server.bytes.echoed", "remotelogin.server.bytes.received", "remotelogin.server.echo.send_calls",
                "remotelogin.server.gc.heap.allocated", "remotelogin.server.process.context_switches", "remotelogin.server.process.cpu.time",
                "remotelogin.server.sessions.accepted", "remotelogin.server.sessions.active", "remotelogin.server.sessions.rejected",
            },
            units.Keys.Order().ToArray());
        Assert.Equal("By", units["remotelogin.server.bytes.received"]);
        Assert.Equal("s", units["remotelogin.server.process.cpu.time"]);
        Assert.Equal(1000, longs["remotelogin.server.bytes.received"]);
        Assert.Equal(1000, longs["remotelogin.server.bytes.echoed"]);
        Assert.InRange(longs["remotelogin.server.echo.send_calls"], 1, 1000);
        Assert.Equal(1, longs["remotelogin.server.sessions.accepted"]);
        Assert.True(longs["remotelogin.server.process.context_switches[process.context_switch_type=voluntary]"] > 0);
        Assert.True(longs.ContainsKey("remotelogin.server.process.context_switches[process.context_switch_type=involuntary]"));
        Assert.True(doubles["remotelogin.server.process.cpu.time[cpu.mode=user]"] > 0);
        Assert.True(doubles.ContainsKey("remotelogin.server.process.cpu.time[cpu.mode=system]"));
    }
}
