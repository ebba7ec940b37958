using System.Diagnostics;
using System.Diagnostics.Metrics;
using RemoteLogin.Native;

namespace RemoteLogin.Server.Telemetry;

/// <summary>
/// The daemon's meter, named for dotnet-counters: <c>dotnet-counters monitor --counters RemoteLogin.Server -p PID</c>.
/// Instrument names and units follow OpenTelemetry's conventions.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "RemoteLogin.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _sessionsAccepted;
    private readonly Counter<long> _sessionsRejected;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesEchoed;
    private readonly Counter<long> _echoSendCalls;
    private long _activeSessions;

    public ServerMetrics()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("remotelogin.server.sessions.active", () => Volatile.Read(ref _activeSessions),
            "{session}", "Sessions being served now");
        _sessionsAccepted = _meter.CreateCounter<long>("remotelogin.server.sessions.accepted", "{session}", "Connections accepted and handed to a subdaemon");
        _sessionsRejected = _meter.CreateCounter<long>("remotelogin.server.sessions.rejected", "{session}", "Connections closed at once because --max-sessions were live");
        _bytesReceived = _meter.CreateCounter<long>("remotelogin.server.bytes.received", "By", "Bytes received from clients");
        _bytesEchoed = _meter.CreateCounter<long>("remotelogin.server.bytes.echoed", "By", "Bytes sent back to clients");
        _echoSendCalls = _meter.CreateCounter<long>("remotelogin.server.echo.send_calls", "{call}", "Send system calls made to echo");
        _meter.CreateObservableCounter("remotelogin.server.process.context_switches", ObserveContextSwitches,
            "{switch}", "Context switches of the daemon process (getrusage), by process.context_switch_type");
        _meter.CreateObservableCounter("remotelogin.server.gc.heap.allocated", () => GC.GetTotalAllocatedBytes(precise: true),
            "By", "Bytes allocated on the managed heap, exact (System.Runtime's dotnet.gc.heap.total_allocated is rounded to allocation contexts)");
        _meter.CreateObservableCounter("remotelogin.server.process.cpu.time", ObserveCpuTime,
            "s", "CPU time of the daemon process (getrusage), by cpu.mode");
    }

    public void SessionAccepted() => _sessionsAccepted.Add(1);

    public void SessionRejected() => _sessionsRejected.Add(1);

    public void SessionStarted() => Interlocked.Increment(ref _activeSessions);

    public void SessionEnded() => Interlocked.Decrement(ref _activeSessions);

    public void Received(int bytes) => _bytesReceived.Add(bytes);

    /// <summary>One send system call that put <paramref name="bytes"/> back on the wire.</summary>
    public void Echoed(int bytes)
    {
        _bytesEchoed.Add(bytes);
        _echoSendCalls.Add(1);
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> ObserveContextSwitches()
    {
        var usage = ResourceUsage.ReadSelf();
        return
        [
            new(usage.VoluntaryContextSwitches, new TagList { { "process.context_switch_type", "voluntary" } }),
            new(usage.InvoluntaryContextSwitches, new TagList { { "process.context_switch_type", "involuntary" } }),
        ];
    }

    private static IEnumerable<Measurement<double>> ObserveCpuTime()
    {
        var usage = ResourceUsage.ReadSelf();
        return
        [
            new(usage.UserMicros / 1e6, new TagList { { "cpu.mode", "user" } }),
            new(usage.SystemMicros / 1e6, new TagList { { "cpu.mode", "system" } }),
        ];
    }
}
