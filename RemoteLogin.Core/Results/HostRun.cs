using System.Text.Json;
using RemoteLogin.Measurement;

namespace RemoteLogin.Results;

/// <summary>
/// One load host's part of a run spread over several ("runs[].hosts[]"): its sessions, its own round trips, its
/// client's counters and its kernel's ("system"), and the host's environment as the bench read it there.
/// </summary>
public sealed record HostRun
{
    public required string Host { get; init; }
    public required int Sessions { get; init; }
    public required long Chars { get; init; }
    public required double CharsPerSecond { get; init; }
    public required LatencySummary RttMicros { get; init; }
    public LatencySummary? SendLatenessMicros { get; init; }
    public required IntegrityCounts Integrity { get; init; }
    public required ProcessCounters Client { get; init; }
    public required SystemCounters System { get; init; }
    public string[]? Failures { get; init; }
    /// <summary>The host's machine and environment ("machine", "environment", "network"); null for the bench's own, described at the top.</summary>
    public JsonElement? Environment { get; init; }
    /// <summary>Its own histogram log, beside results.json; the run's log holds the merged one.</summary>
    public string? HistogramLog { get; init; }
}

/// <summary>
/// The daemon's host's kernel over the timed pass's measured part, in a two-host run ("remoteSystem"): the whole
/// machine's counts, as "system" is for the load host, plus the data path's interface. Each per character beside it.
/// </summary>
public sealed record RemoteSystem(
    long ContextSwitches, long Interrupts, long NetRxSoftirqs, long NetTxSoftirqs, long? NicInterrupts, long? RxPackets, long? TxPackets)
{
    /// <summary>The daemon's host's interface that carries the data path, whose packets and interrupts are counted.</summary>
    public string? Interface { get; init; }

    /// <summary>Each count over the characters measured.</summary>
    public required Dictionary<string, double?> PerChar { get; init; }

    /// <summary>
    /// What one reading costs that host: two readings back to back at the first edge, nothing between them but the
    /// request and reply over ssh. The counts above include one such exchange (and the daemon's own snapshot's).
    /// </summary>
    public HostSystemCounters? OneReading { get; init; }

    public static RemoteSystem From(HostSystemCounters measured, HostSystemCounters? oneReading, string? interfaceName, long chars) =>
        new(measured.ContextSwitches, measured.Interrupts, measured.NetRxSoftirqs, measured.NetTxSoftirqs,
            measured.NicInterrupts, measured.RxPackets, measured.TxPackets)
        {
            Interface = interfaceName,
            OneReading = oneReading,
            PerChar = CounterSet.PerChar(measured, chars),
        };
}
