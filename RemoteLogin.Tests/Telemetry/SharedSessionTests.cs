using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>
/// The bench reads the daemon in the runtime's shared metrics session, as dotnet-counters does: a user can watch with
/// the real dotnet-counters while the bench's listeners collect, each sees every byte, and one leaving or one
/// configured differently disturbs nobody else.
/// </summary>
public class SharedSessionTests
{
    private const int Bytes = 4321;
    private const int MoreBytes = 2345;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = DaemonCounters.DotnetCountersRefreshInterval;

    [Fact]
    public async Task Dotnet_counters_and_two_bench_listeners_watch_one_daemon_at_once()
    {
        using var daemon = DaemonProcess.Start(["--echo", "batched"]);
        using var first = new DaemonCounters(daemon.ProcessId, Interval, MeterSnapshot.Meters, MeterSnapshot.EventCounterSources);
        using var second = new DaemonCounters(daemon.ProcessId, Interval, MeterSnapshot.Meters);
        using var monitor = new DotnetCountersMonitor(daemon.ProcessId);
        // dotnet-counters has joined once it shows the daemon's own instruments.
        Assert.True(
            await Eventually.HoldsAsync(() => monitor.Screen.Contains("remotelogin.server.bytes.received")),
            $"dotnet-counters (from dotnet-tools.json: dotnet tool restore) never showed the daemon's meter: {monitor.Screen}");
        var before = first.NextAfter(DateTime.UtcNow, Patience);

        await EchoAsync(daemon, Bytes);

        var mark = DateTime.UtcNow;
        var after = first.NextAfter(mark, Patience);
        Assert.Equal(Bytes, Received(after) - Received(before));
        Assert.Equal(Bytes, Received(second.NextAfter(mark, Patience)));
        // The runtime's own view of the same traffic: the sockets' EventCounters, read beside the meters.
        string socketBytes = MeterSnapshot.Key(MeterSnapshot.SocketsEventCounters, "bytes-received", "");
        Assert.Equal(Bytes, after.Values[socketBytes] - before.Values.GetValueOrDefault(socketBytes));
        // It shows a counter's total so far, as the bench reads it.
        await Eventually.AssertAsync(() => Shows(monitor, Bytes), $"dotnet-counters shows {Bytes:N0} bytes");

        // A listener that asks for another interval is refused, and told why; the others read on.
        using (var misfit = new DaemonCounters(daemon.ProcessId, Interval / 2, MeterSnapshot.Meters))
        {
            var refused = Assert.Throws<InvalidOperationException>(() => misfit.NextAfter(DateTime.UtcNow, Patience));
            Assert.Contains("other settings", refused.Message);
        }
        first.Dispose(); // one leaves: the session goes on for the rest
        await EchoAsync(daemon, MoreBytes);
        Assert.Equal(Bytes + MoreBytes, Received(second.NextAfter(DateTime.UtcNow, Patience)));
        await Eventually.AssertAsync(() => Shows(monitor, Bytes + MoreBytes), $"dotnet-counters shows {Bytes + MoreBytes:N0} bytes");
        Assert.DoesNotContain("rror", monitor.Screen);
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(30)));
    }

    private static double Received(MeterSnapshot snapshot) => snapshot.Get(MeterSnapshot.ServerMeter, "remotelogin.server.bytes.received");

    private static async Task EchoAsync(DaemonProcess daemon, int bytes) =>
        Assert.Equal(bytes, (await EchoClient.SendAllAndReceiveToEndAsync(daemon.Endpoint, new byte[bytes])).Length);

    /// <summary>Whether dotnet-counters has drawn <paramref name="value"/> as a whole number ("4,321", not part of "14,321" or "4,321,000").</summary>
    private static bool Shows(DotnetCountersMonitor monitor, int value) =>
        Regex.IsMatch(monitor.Screen, $@"(?<![\d,]){Regex.Escape(value.ToString("N0", CultureInfo.InvariantCulture))}(?![\d,])");

    /// <summary>
    /// The stock <c>dotnet-counters monitor</c> (its collect command does not share sessions), from the repository's
    /// tool manifest (dotnet tool restore), with its defaults: what a user watching the daemon would run.
    /// </summary>
    private sealed class DotnetCountersMonitor : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _screen = new();

        public DotnetCountersMonitor(int processId)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Repository.Root,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    "tool", "run", "dotnet-counters", "monitor", "--process-id", processId.ToString(CultureInfo.InvariantCulture),
                    "--counters", "RemoteLogin.Server,System.Runtime",
                },
            };
            _process = Process.Start(info)!;
            // It redraws values in place, with cursor movements and no newline: read characters, not lines.
            _ = CopyAsync(_process.StandardOutput);
            _ = CopyAsync(_process.StandardError);
        }

        /// <summary>Everything it has drawn so far, cursor movements and all.</summary>
        public string Screen
        {
            get
            {
                lock (_screen)
                {
                    return _screen.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }

        private async Task CopyAsync(StreamReader from)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                lock (_screen)
                {
                    _screen.Append(buffer, 0, read);
                }
            }
        }
    }
}
