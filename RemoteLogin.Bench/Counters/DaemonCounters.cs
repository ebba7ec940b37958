using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace RemoteLogin.Bench.Counters;

/// <summary>
/// Reads a live daemon's counters over EventPipe the way dotnet-counters does, and in the same session: the
/// System.Diagnostics.Metrics provider publishes every instrument of the meters asked for once per refresh interval,
/// bracketed by CollectionStart/CollectionStop, and EventCounter providers publish on their own timer. Joining the
/// runtime's shared metrics session (id "SHARED", with dotnet-counters' refresh interval and limits) lets a user
/// watch the daemon with <c>dotnet-counters monitor</c> while the bench collects; the runtime serves one session to
/// all listeners and refuses one configured differently.
/// </summary>
internal sealed class DaemonCounters : IDisposable
{
    /// <summary>dotnet-counters' defaults (--refresh-interval, --maxTimeSeries, --maxHistograms): a shared session must match them.</summary>
    public static readonly TimeSpan DotnetCountersRefreshInterval = TimeSpan.FromSeconds(1);
    private const int MaxTimeSeries = 1000;
    private const int MaxHistograms = 10;

    private const string MetricsProvider = "System.Diagnostics.Metrics";
    private const string SharedSessionId = "SHARED";
    private const long TimeSeriesValuesKeyword = 0x2;

    private readonly EventPipeSession _session;
    private readonly Thread _reader;
    private readonly string _clientId = Guid.NewGuid().ToString();
    private readonly object _lock = new();
    private readonly List<MeterSnapshot> _snapshots = [];
    private readonly Dictionary<string, (double Value, DateTime At)> _eventCounters = [];
    private readonly IReadOnlyList<string> _eventCounterSources;
    private Dictionary<string, double> _collecting = [];
    private HashSet<string> _levels = [];
    private string? _error;

    /// <param name="meters">System.Diagnostics.Metrics meters, whole ("RemoteLogin.Server") or one instrument ("System.Runtime\dotnet.gc.collections").</param>
    /// <param name="eventCounterSources">EventSources whose EventCounters to read too, e.g. "System.Net.Sockets".</param>
    public DaemonCounters(int processId, TimeSpan refreshInterval, IReadOnlyList<string> meters, IReadOnlyList<string>? eventCounterSources = null)
    {
        _eventCounterSources = eventCounterSources ?? [];
        string interval = refreshInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        var metrics = new EventPipeProvider(MetricsProvider, EventLevel.Informational, TimeSeriesValuesKeyword, new Dictionary<string, string>
        {
            ["SessionId"] = SharedSessionId,
            ["ClientId"] = _clientId,
            ["Metrics"] = string.Join(',', meters),
            ["RefreshInterval"] = interval,
            ["MaxTimeSeries"] = MaxTimeSeries.ToString(CultureInfo.InvariantCulture),
            ["MaxHistograms"] = MaxHistograms.ToString(CultureInfo.InvariantCulture),
        });
        var eventCounters = _eventCounterSources.Select(source =>
            new EventPipeProvider(source, EventLevel.Informational, 0, new Dictionary<string, string> { ["EventCounterIntervalSec"] = interval }));
        _session = new DiagnosticsClient(processId).StartEventPipeSession([metrics, .. eventCounters], requestRundown: false, circularBufferMB: 16);
        _reader = new Thread(ReadEvents) { IsBackground = true, Name = "EventPipe reader" };
        _reader.Start();
    }

    /// <summary>The first snapshot all of whose values were read after <paramref name="mark"/>.</summary>
    public MeterSnapshot NextAfter(DateTime mark, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lock)
        {
            while (true)
            {
                // A refused listener still sees the shared session's collections: the error comes first.
                if (_error is not null)
                {
                    throw new InvalidOperationException($"the daemon's metrics session failed: {_error}");
                }
                var found = _snapshots.FirstOrDefault(s => s.ReadFrom > mark);
                if (found is not null)
                {
                    return found;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left))
                {
                    var silent = SilentEventCounterSources();
                    throw new TimeoutException($"no counters from the daemon within {timeout.TotalSeconds} s" +
                        (silent.Any() ? $" (no EventCounters yet from {string.Join(", ", silent)})" : ""));
                }
            }
        }
    }

    /// <summary>Every snapshot from <paramref name="first"/> to <paramref name="last"/>, both included: the time series between them.</summary>
    public IReadOnlyList<MeterSnapshot> Between(MeterSnapshot first, MeterSnapshot last)
    {
        lock (_lock)
        {
            int from = _snapshots.IndexOf(first), to = _snapshots.IndexOf(last);
            return from < 0 || to < from ? throw new ArgumentException("snapshots of another session, or out of order") : _snapshots[from..(to + 1)];
        }
    }

    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception e) when (e is ServerNotAvailableException or EndOfStreamException or IOException or TimeoutException)
        {
            // The daemon is already gone; its stream ended with it.
        }
        _reader.Join(TimeSpan.FromSeconds(5));
        _session.Dispose();
    }

    private void ReadEvents()
    {
        try
        {
            using var source = new EventPipeEventSource(_session.EventStream);
            source.Dynamic.All += OnEvent;
            source.Process();
        }
        catch (Exception e)
        {
            Fail(e.Message);
        }
    }

    private void OnEvent(TraceEvent e)
    {
        if (e.EventName == "EventCounters")
        {
            OnEventCounter(e);
        }
        else if (e.ProviderName == MetricsProvider)
        {
            OnMetricsEvent(e);
        }
    }

    private void OnMetricsEvent(TraceEvent e)
    {
        if (e.EventName == "MultipleSessionsNotSupportedError")
        {
            Fail($"another tool holds the daemon's metrics in a session of its own ({e.PayloadByName("runningSessionId")}), not the shared one: " +
                "dotnet-counters collect does that; dotnet-counters monitor shares");
            return;
        }
        if (e.EventName == "MultipleSessionsConfiguredIncorrectlyError")
        {
            if ((string)e.PayloadByName("clientId") == _clientId)
            {
                Fail("another listener (dotnet-counters?) holds the daemon's shared metrics session with other settings: " +
                    $"refresh interval {e.PayloadByName("expectedRefreshInterval")} s, --maxTimeSeries {e.PayloadByName("expectedMaxTimeSeries")}, " +
                    $"--maxHistograms {e.PayloadByName("expectedMaxHistograms")}; this listener asked for {e.PayloadByName("actualRefreshInterval")} s, " +
                    $"{e.PayloadByName("actualMaxTimeSeries")}, {e.PayloadByName("actualMaxHistograms")}");
            }
            return;
        }
        if ((string?)e.PayloadByName("sessionId") != SharedSessionId)
        {
            return;
        }
        switch (e.EventName)
        {
            case "CollectionStart" or "Collection/Start": // TraceEvent names it by task and opcode
                _collecting = [];
                _levels = [];
                break;
            case "CounterRateValuePublished":
                Collect(e, isLevel: false);
                break;
            case "UpDownCounterRateValuePublished" or "GaugeValuePublished":
                Collect(e, isLevel: true);
                break;
            case "CollectionStop" or "Collection/Stop":
                var end = ((DateTime)e.PayloadByName("intervalEndTime")).ToUniversalTime();
                lock (_lock)
                {
                    // Fresh only once every EventCounter source asked for has published, each after the mark.
                    var readFrom = SilentEventCounterSources().Any() ? DateTime.MinValue : end;
                    foreach (var (name, (value, at)) in _eventCounters)
                    {
                        _collecting[name] = value;
                        readFrom = at < readFrom ? at : readFrom;
                        if (IsEventCounterLevel(name))
                        {
                            _levels.Add(name);
                        }
                    }
                    _snapshots.Add(new MeterSnapshot(end, readFrom, _collecting, _levels));
                    Monitor.PulseAll(_lock);
                }
                break;
            case "Error" or "ObservableInstrumentCallbackError" or "TimeSeriesLimitReached" or "HistogramLimitReached":
                Fail($"{e.EventName}: {e.PayloadString(e.PayloadNames.Length - 1)}");
                break;
        }
    }

    /// <summary>
    /// Levels the runtime declares as observable counters (System.Runtime's RuntimeMetrics does, for these two): their
    /// "increase" is the change of a count, so they are kept as the levels they are.
    /// </summary>
    private static readonly HashSet<string> LevelsPublishedAsCounters = ["dotnet.thread_pool.thread.count", "dotnet.thread_pool.queue.length"];

    private void Collect(TraceEvent e, bool isLevel)
    {
        if (double.TryParse((string)e.PayloadByName("value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            string instrument = (string)e.PayloadByName("instrumentName");
            string key = MeterSnapshot.Key((string)e.PayloadByName("meterName"), instrument, (string)e.PayloadByName("tags"));
            _collecting[key] = value;
            if (isLevel || LevelsPublishedAsCounters.Contains(instrument))
            {
                _levels.Add(key);
            }
        }
    }

    /// <summary>The EventCounter sources asked for that have not published yet; call under the lock.</summary>
    private IEnumerable<string> SilentEventCounterSources() =>
        _eventCounterSources.Where(source => !_eventCounters.Keys.Any(key => key.StartsWith(source + "\\", StringComparison.Ordinal)));

    /// <summary>
    /// EventCounters carry no kind: by their naming convention a "current-" one is a level (connect attempts in
    /// flight), and the others the sockets publish are totals so far (bytes-received) or, as Sum, increments.
    /// </summary>
    private static bool IsEventCounterLevel(string key) => key[(key.IndexOf('\\') + 1)..].StartsWith("current-", StringComparison.Ordinal);

    /// <summary>An EventCounter: a polling counter's value as it is now, a Sum counter's increment added up.</summary>
    private void OnEventCounter(TraceEvent e)
    {
        if (e.PayloadValue(0) is not IDictionary<string, object> outer || outer["Payload"] is not IDictionary<string, object> counter)
        {
            return;
        }
        bool isSum = (string)counter["CounterType"] == "Sum";
        double value = Convert.ToDouble(counter[isSum ? "Increment" : "Mean"], CultureInfo.InvariantCulture);
        string key = MeterSnapshot.Key(e.ProviderName, (string)counter["Name"], "");
        lock (_lock)
        {
            _eventCounters[key] = (isSum ? _eventCounters.GetValueOrDefault(key).Value + value : value, e.TimeStamp.ToUniversalTime());
        }
    }

    private void Fail(string error)
    {
        lock (_lock)
        {
            _error ??= error;
            Monitor.PulseAll(_lock);
        }
    }
}
