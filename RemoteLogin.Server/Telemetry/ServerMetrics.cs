using System.Diagnostics;
using System.Diagnostics.Metrics;
using RemoteLogin.Measurement;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Telemetry;

/// <summary>
/// The daemon's meter, named for dotnet-counters: <c>dotnet-counters monitor --counters RemoteLogin.Server -p PID</c>.
/// Instrument names and units follow OpenTelemetry's conventions. The process.* and gc.* instruments cover the whole
/// remote side: the daemon and, tagged <c>remotelogin.process=subdaemons</c>, its subdaemon children. The session
/// counters follow the daemon's events, so a session is counted where its event is raised and nowhere else.
/// </summary>
internal sealed class ServerMetrics : IDaemonEvents, IDisposable
{
    public const string MeterName = "RemoteLogin.Server";
    public const string CopyTag = "remotelogin.copy";
    public const string RefusalTag = "remotelogin.refusal";

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _model;
    private readonly KeyValuePair<string, object?> _protocol;
    private readonly Counter<long> _sessionsAccepted;
    private readonly Counter<long> _sessionsRejected;
    private readonly Counter<long> _handshakeFailures;
    private readonly RemoteSideUsage _usage;
    private long _activeSessions;

    public ServerMetrics(SubdaemonModel model, WireProtocol protocol, SubdaemonChildren? children = null)
    {
        _usage = new RemoteSideUsage(children);
        _model = new("remotelogin.subdaemon", model.Name());
        _protocol = new("remotelogin.protocol", protocol.Name());
        _meter = new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("remotelogin.server.sessions.active", () => new Measurement<long>(Volatile.Read(ref _activeSessions), _model),
            "{session}", "Sessions being served now, by remotelogin.subdaemon model");
        _sessionsAccepted = _meter.CreateCounter<long>("remotelogin.server.sessions.accepted", "{session}", "Connections accepted and handed to a subdaemon, by remotelogin.subdaemon model");
        _sessionsRejected = _meter.CreateCounter<long>("remotelogin.server.sessions.rejected", "{session}", "Connections closed at once, by remotelogin.refusal: max_sessions, max_startups (sshd's early drop), max_sessions_per_source; and sessions ended for --idle-timeout, as idle");
        _handshakeFailures = _meter.CreateCounter<long>("remotelogin.server.sessions.handshake_failures", "{session}", "Sessions closed because their protocol opening failed (malformed, oversized or late), by remotelogin.protocol");
        _meter.CreateObservableCounter("remotelogin.server.bytes.received", () => _usage.Read().Echo.BytesReceived, "By", "Bytes received from clients");
        _meter.CreateObservableCounter("remotelogin.server.bytes.echoed", () => _usage.Read().Echo.BytesEchoed, "By", "Bytes sent back to clients, protocol replies included");
        _meter.CreateObservableCounter("remotelogin.server.echo.receive_calls", () => _usage.Read().Echo.ReceiveCalls, "{call}", "Receive or splice calls that brought client bytes in (peeks not counted)");
        _meter.CreateObservableCounter("remotelogin.server.echo.send_calls", () => _usage.Read().Echo.SendCalls, "{call}", "Send or splice calls that put echoes on the wire");
        _meter.CreateObservableCounter("remotelogin.server.echo.bytes_copied", () => Copies(_usage.Read().Echo.Copied),
            "By", "Bytes the echo copied through user-space memory (relays and children included), by remotelogin.copy: into_user (a receive or peek), out_of_user (a send, or a write into a kernel pipe), within_user (a copy between buffers); splice(2) copies none");
        _meter.CreateObservableCounter("remotelogin.server.process.context_switches", () => ByProcess(c => c.VoluntaryContextSwitches, "process.context_switch_type", "voluntary")
                .Concat(ByProcess(c => c.InvoluntaryContextSwitches, "process.context_switch_type", "involuntary")),
            "{switch}", "Context switches (getrusage), by process.context_switch_type and remotelogin.process");
        _meter.CreateObservableCounter("remotelogin.server.process.cpu.time", () => ByProcess(c => c.CpuUserMicros / 1e6, "cpu.mode", "user")
                .Concat(ByProcess(c => c.CpuSystemMicros / 1e6, "cpu.mode", "system")),
            "s", "CPU time (getrusage), by cpu.mode and remotelogin.process");
        _meter.CreateObservableCounter("remotelogin.server.gc.heap.allocated", () => ByProcess(c => c.AllocatedBytes),
            "By", "Bytes allocated on the managed heap, exact (System.Runtime's dotnet.gc.heap.total_allocated is rounded to allocation contexts), by remotelogin.process");
        _meter.CreateObservableCounter("remotelogin.server.gc.collections", () => ByProcess(c => c.GcCollections),
            "{collection}", "Garbage collections, all generations, by remotelogin.process");
        if (children is not null)
        {
            _meter.CreateObservableCounter("remotelogin.server.subdaemon.children.started", () => children.Started,
                "{process}", "Subdaemon child processes started and connected back");
            _meter.CreateObservableCounter("remotelogin.server.subdaemon.children.start_failures", () => children.StartFailures,
                "{process}", "Subdaemon children that could not start; their clients were closed cleanly");
            _meter.CreateObservableCounter("remotelogin.server.subdaemon.children.exited", () => ChildExits(children),
                "{process}", "Subdaemon children reaped, by remotelogin.exit: clean (exit code 0), failed (another code), killed (a signal)");
            _meter.CreateObservableUpDownCounter("remotelogin.server.subdaemon.children.live", () => (long)children.Live,
                "{process}", "Subdaemon children running now");
        }
    }

    /// <summary>What the sessions served in this process echo; children count their own and report it.</summary>
    public EchoTally Echo => _usage.Echo;

    /// <summary>Where the meter reads the remote side; the snapshot responder reads it there too.</summary>
    public RemoteSideUsage Usage => _usage;

    void IDaemonEvents.Raise(DaemonEvent daemonEvent)
    {
        switch (daemonEvent)
        {
            case SessionOpened:
                _sessionsAccepted.Add(1, _model);
                break;
            case SessionRefused refused:
                _sessionsRejected.Add(1, new KeyValuePair<string, object?>(RefusalTag, RefusalName(refused.Reason)));
                break;
            case SessionIdle:
                _sessionsRejected.Add(1, new KeyValuePair<string, object?>(RefusalTag, "idle"));
                break;
            case HandshakeFailed:
                _handshakeFailures.Add(1, _protocol);
                break;
            case SessionStarted:
                Interlocked.Increment(ref _activeSessions);
                break;
            case SessionEnded:
                Interlocked.Decrement(ref _activeSessions);
                break;
        }
    }

    public void Dispose() => _meter.Dispose();

    public static string RefusalName(RefusalReason reason) => reason switch
    {
        RefusalReason.MaxSessions => "max_sessions",
        RefusalReason.MaxStartups => "max_startups",
        RefusalReason.MaxSessionsPerSource => "max_sessions_per_source",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    private IEnumerable<Measurement<T>> ByProcess<T>(Func<ProcessCounters, T> value, string? tag = null, string? tagValue = null)
        where T : struct
    {
        var reading = _usage.Read();
        yield return Measure(reading.Daemon, "daemon");
        if (reading.Subdaemons is { } subdaemons)
        {
            yield return Measure(subdaemons, "subdaemons");
        }

        Measurement<T> Measure(ProcessCounters counters, string process)
        {
            var tags = new TagList { { "remotelogin.process", process } };
            if (tag is not null)
            {
                tags.Add(tag, tagValue);
            }
            return new Measurement<T>(value(counters), tags);
        }
    }

    private static Measurement<long>[] Copies(CopiedBytes copied) =>
    [
        new(copied.IntoUser, new KeyValuePair<string, object?>(CopyTag, "into_user")),
        new(copied.OutOfUser, new KeyValuePair<string, object?>(CopyTag, "out_of_user")),
        new(copied.WithinUser, new KeyValuePair<string, object?>(CopyTag, "within_user")),
    ];

    private static IEnumerable<Measurement<long>> ChildExits(SubdaemonChildren children)
    {
        var (clean, failed, killed) = children.Exited;
        return
        [
            new(clean, new KeyValuePair<string, object?>("remotelogin.exit", "clean")),
            new(failed, new KeyValuePair<string, object?>("remotelogin.exit", "failed")),
            new(killed, new KeyValuePair<string, object?>("remotelogin.exit", "killed")),
        ];
    }
}
