using System.Diagnostics.Metrics;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// The daemon's meter as a MeterListener (and so dotnet-counters) sees it, for a daemon in this process: the last value
/// of every time series, keyed "instrument[tag=value]...".
/// </summary>
internal sealed class RecordedMeter : IDisposable
{
    private readonly MeterListener _listener = new();

    public RecordedMeter()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServerMetrics.MeterName)
            {
                Units[instrument.Name] = instrument.Unit;
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (Longs)
            {
                string key = Key(instrument, tags);
                Longs[key] = instrument is Counter<long> ? Longs.GetValueOrDefault(key) + value : value;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (Doubles)
            {
                Doubles[Key(instrument, tags)] = value;
            }
        });
        _listener.Start();
    }

    public Dictionary<string, long> Longs { get; } = [];

    public Dictionary<string, double> Doubles { get; } = [];

    public Dictionary<string, string?> Units { get; } = [];

    public void Record() => _listener.RecordObservableInstruments();

    /// <summary>The series <paramref name="key"/> now (observable instruments are read afresh); 0 before its first measurement.</summary>
    public long Read(string key)
    {
        Record();
        lock (Longs)
        {
            return Longs.GetValueOrDefault(key);
        }
    }

    public void Dispose() => _listener.Dispose();

    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        instrument.Name + string.Concat(tags.ToArray().Select(t => $"[{t.Key}={t.Value}]"));
}
