using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace RemoteLogin.Bench.Counters;

/// <summary>
/// Reads a live daemon's meters over EventPipe, as dotnet-counters does: the System.Diagnostics.Metrics
/// provider publishes every counter once per refresh interval, bracketed by CollectionStart/CollectionStop.
/// </summary>
public sealed class DaemonCounters : IDisposable
{
    private const string MetricsProvider = "System.Diagnostics.Metrics";
    private const long TimeSeriesValuesKeyword = 0x2;

    private readonly EventPipeSession _session;
    private readonly Thread _reader;
    private readonly string _sessionId = Guid.NewGuid().ToString("N");
    private readonly object _lock = new();
    private readonly List<MeterSnapshot> _snapshots = [];
    private Dictionary<string, double> _collecting = [];
    private string? _error;

    public DaemonCounters(int processId, TimeSpan refreshInterval, params string[] meters)
    {
        var arguments = new Dictionary<string, string>
        {
            ["SessionId"] = _sessionId,
            ["Metrics"] = string.Join(';', meters),
            ["RefreshInterval"] = refreshInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            ["MaxTimeSeries"] = "1000",
            ["MaxHistograms"] = "10",
        };
        var provider = new EventPipeProvider(MetricsProvider, EventLevel.Informational, TimeSeriesValuesKeyword, arguments);
        _session = new DiagnosticsClient(processId).StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
        _reader = new Thread(ReadEvents) { IsBackground = true, Name = "EventPipe reader" };
        _reader.Start();
    }

    /// <summary>The first snapshot whose interval ended after <paramref name="mark"/>: counters read no earlier than that moment.</summary>
    public MeterSnapshot NextAfter(DateTime mark, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lock)
        {
            while (true)
            {
                var found = _snapshots.FirstOrDefault(s => s.IntervalEnd > mark);
                if (found is not null)
                {
                    return found;
                }
                if (_error is not null)
                {
                    throw new InvalidOperationException($"the daemon's metrics session failed: {_error}");
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left))
                {
                    throw new TimeoutException($"no counters from the daemon within {timeout.TotalSeconds} s");
                }
            }
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
            lock (_lock)
            {
                _error ??= e.Message;
                Monitor.PulseAll(_lock);
            }
        }
    }

    private void OnEvent(TraceEvent e)
    {
        if (e.ProviderName != MetricsProvider || (string?)e.PayloadByName("sessionId") is not { } session || session != _sessionId)
        {
            return;
        }
        switch (e.EventName)
        {
            case "CollectionStart" or "Collection/Start": // TraceEvent names it by task and opcode
                _collecting = [];
                break;
            case "CounterRateValuePublished" or "UpDownCounterRateValuePublished":
                if (double.TryParse((string)e.PayloadByName("value"), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    _collecting[MeterSnapshot.Key((string)e.PayloadByName("meterName"), (string)e.PayloadByName("instrumentName"), (string)e.PayloadByName("tags"))] = value;
                }
                break;
            case "CollectionStop" or "Collection/Stop":
                var end = ((DateTime)e.PayloadByName("intervalEndTime")).ToUniversalTime();
                lock (_lock)
                {
                    _snapshots.Add(new MeterSnapshot(end, _collecting));
                    Monitor.PulseAll(_lock);
                }
                break;
            case "Error" or "MultipleSessionsNotSupportedError" or "ObservableInstrumentCallbackError":
                lock (_lock)
                {
                    _error ??= $"{e.EventName}: {e.PayloadString(e.PayloadNames.Length - 1)}";
                    Monitor.PulseAll(_lock);
                }
                break;
        }
    }
}
