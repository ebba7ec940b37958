using RemoteLogin.Measurement;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>One floor measured once: a round trip's percentiles (blocking, spin) or a stream's characters per second.</summary>
internal sealed record FloorMeasurement(FloorKind Kind, LatencySummary? RttMicros, double? CharsPerSecond)
{
    /// <summary>The figure this floor is compared by: p50 µs of a round trip, chars/s of a stream.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double Figure => Kind == FloorKind.Stream ? CharsPerSecond ?? 0 : RttMicros?.P50 ?? 0;
}
