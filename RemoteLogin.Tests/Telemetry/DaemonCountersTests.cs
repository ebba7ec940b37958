using System.Net.Sockets;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Matrix;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>A DiagnosticsClient attached to a real daemon child process reads its meter over EventPipe.</summary>
public class DaemonCountersTests
{
    [Fact]
    public async Task Reads_the_byte_counters_of_a_live_daemon_after_traffic()
    {
        using var daemon = DaemonProcess.Start(["--echo", "zerocopy"]);
        using var counters = new DaemonCounters(daemon.ProcessId, TimeSpan.FromSeconds(0.2), MeterSnapshot.Meters);
        var before = counters.NextAfter(DateTime.UtcNow, TimeSpan.FromSeconds(30));

        using (var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            await client.ConnectAsync(daemon.Endpoint);
            await client.SendAsync(new byte[4321]);
            client.Shutdown(SocketShutdown.Send);
            var sink = new byte[8192];
            while (await client.ReceiveAsync(sink) > 0)
            {
            }
        }
        var after = counters.NextAfter(DateTime.UtcNow, TimeSpan.FromSeconds(30));

        Assert.Equal(0, before.Get(MeterSnapshot.ServerMeter, "remotelogin.server.bytes.received"));
        Assert.Equal(4321, after.Get(MeterSnapshot.ServerMeter, "remotelogin.server.bytes.received"));
        Assert.Equal(4321, after.Get(MeterSnapshot.ServerMeter, "remotelogin.server.bytes.echoed"));
        Assert.Equal(1, after.Get(MeterSnapshot.ServerMeter, "remotelogin.server.sessions.accepted", "remotelogin.subdaemon=task"));
        var cost = MeterSnapshot.ServerCost(before, after);
        Assert.True(cost.VoluntaryContextSwitches > 0);
        Assert.True(after.Get(MeterSnapshot.RuntimeMeter, "dotnet.gc.heap.total_allocated") > 0);
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(30)));
    }
}
