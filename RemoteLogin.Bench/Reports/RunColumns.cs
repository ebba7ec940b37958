using System.Globalization;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Reports;

/// <summary>
/// One column of the comparison: the same header and formatting in the console, results.md and results.csv.
/// <paramref name="Matters"/> says whether a run makes it worth showing in results.md and the console (results.csv
/// has every column); by default, any run whose cell it fills.
/// </summary>
internal sealed record Column(string Header, Func<RunResult, string> Format, bool Numeric = true, Func<RunResult, bool>? Matters = null)
{
    public bool MattersFor(RunResult run) => Matters?.Invoke(run) ?? Format(run).Length > 0;
}

/// <summary>The comparison's columns. Per-character figures divide a run's counter deltas by the characters it measured.</summary>
internal static class RunColumns
{
    /// <summary>
    /// What the console shows: the configuration, its status, the round trip and its ratios with the CPU they cost,
    /// the throughput. The rest is in results.md and results.csv.
    /// </summary>
    public static IReadOnlyList<Column> Headline => All.Where(c => HeadlineHeaders.Contains(c.Header)).ToList();

    private static readonly HashSet<string> HeadlineHeaders =
    [
        "scenario", "strategy", "client strategy", "subdaemon", "protocol", "status", "p50 µs", "p99 µs", "p99.99 µs", "p50/floor", "p50/spin",
        "chars/s", "chars/s / stream", "CPU µs/char client", "CPU µs/char remote", "CPU µs/char concentrator",
        "ctx sw/char daemon host", "NET_RX+TX softirqs/char daemon host", "disturbed rounds", "send lateness p99 µs", "lost/dup/bad",
    ];

    /// <summary>Marks a percentile with fewer than <see cref="LatencySummary.ThinTail"/> samples beyond it.</summary>
    public const string ThinMark = "*";

    public static IReadOnlyList<Column> All { get; } =
    [
        new("scenario", r => r.Scenario.Name(), Numeric: false),
        // "strategy" is the daemon's echo; the client's is shown where some run held it to another (--client-strategy).
        new("strategy", r => r.Strategy.Name(), Numeric: false),
        new("client strategy", r => r.ClientStrategyOrSame.Name(), Numeric: false, Matters: r => r.ClientStrategyOrSame != r.Strategy),
        new("subdaemon", r => r.Subdaemon.Name(), Numeric: false),
        new("protocol", r => r.Protocol.Name(), Numeric: false),
        new("status", RunNotes.Status, Numeric: false),
        new("sessions", r => Whole(r.Sessions)),
        new("chars", r => Whole(r.Chars)),
        new("round trips", r => Whole(r.RttMicros.Count)), // the samples every percentile here was taken from
        new("p50 µs", r => Percentile(r.RttMicros, r.RttMicros.P50, "p50")),
        new("p99 µs", r => Percentile(r.RttMicros, r.RttMicros.P99, "p99")),
        new("p99.9 µs", r => Percentile(r.RttMicros, r.RttMicros.P999, "p999")),
        new("p99.99 µs", r => Percentile(r.RttMicros, r.RttMicros.P9999, "p9999")),
        // Every ratio has the CPU it cost beside it: a configuration that spins can beat a sleeping floor.
        new("p50/floor", r => Ratio(r.P50OverFloor, r.P50OverFloorRange)),
        new("p50/spin", r => Ratio(r.P50OverSpin, r.P50OverSpinRange)),
        new("chars/s", r => Whole(r.CharsPerSecond)),
        new("chars/s / stream", r => r.CharsPerSecondOverStream is { } ratio
            ? $"{Significant(ratio)} [{Significant(r.CharsPerSecondOverStreamRange![0])}–{Significant(r.CharsPerSecondOverStreamRange[1])}]" : ""),
        new("CPU µs/char client", r => PerChar(r, r.Client.CpuMicros)),
        new("CPU µs/char remote", r => r.Server is { } s ? PerChar(r, s.CpuMicros) : ""),
        new("CPU µs/char in children", r => r.ServerSubdaemons is { } c ? PerChar(r, c.CpuMicros) : ""),
        // The front-end processor's own price, beside the daemon's: what the concentrator saves the host, it spends here.
        new("CPU µs/char concentrator", r => r.Concentrator is { } c ? PerChar(r, c.CpuMicros) : ""),
        new("ctx sw/char concentrator", r => r.Concentrator is { } c ? PerChar(r, c.ContextSwitches) : ""),
        new("disturbed rounds", r => r.DisturbedRounds is { } n && r.Rounds is { } rounds ? $"{n}/{rounds.Count}" : ""),
        new("send lateness p99 µs", r => r.SendLatenessMicros is { Count: > 0 } late ? Percentile(late, late.P99, "p99") : ""),
        new("setup p50 µs", r => r.SetupMicros is { Count: > 0 } setup ? Significant(setup.P50) : ""),
        new("ctx sw/char client", r => PerChar(r, r.Client.ContextSwitches)),
        // The remote side is the daemon and its subdaemon children together; "in children" is the children's part of it.
        new("ctx sw/char remote", r => r.Server is { } s ? PerChar(r, s.ContextSwitches) : ""),
        new("ctx sw/char in children", r => r.ServerSubdaemons is { } c ? PerChar(r, c.ContextSwitches) : ""),
        // perf's count of every system call, the runtime's own included, from the counted pass; empty when perf could not count.
        new("syscalls/char client", r => r.Client.Syscalls is { } n ? PerChar(r, n) : ""),
        new("syscalls/char remote", r => r.Server?.Syscalls is { } n ? PerChar(r, n) : ""),
        new("alloc B/char client", r => r.AllocatedBytesPerChar is { } a ? Bound(a.Client) : ""),
        new("alloc B/char remote", r => r.AllocatedBytesPerChar?.Server is { } s ? Bound(s) : ""),
        // Bytes copied into, out of and within user-space memory, as the strategies count them; splice copies none.
        new("copied B/char client", r => r.Client.Copied is { } c ? PerChar(r, c.Total) : ""),
        new("copied B/char remote", r => r.Server?.Copied is { } c ? PerChar(r, c.Total) : ""),
        new("echo sends/char", r => r.ServerEcho is { } echo ? PerChar(r, echo.SendCalls) : ""),
        // The whole machine's, not RemoteLogin's alone: the first load host's, over that host's own characters.
        new("interrupts/char system-wide", r => PerChar(r, r.System.Interrupts, r.Hosts?[0].Chars)),
        new("NET_RX softirqs/char system-wide", r => PerChar(r, r.System.NetRxSoftirqs, r.Hosts?[0].Chars)),
        // A two-host run's daemon host, the whole machine's kernel over the timed pass (remoteSystem); empty in a one-host run.
        new("ctx sw/char daemon host", r => r.RemoteSystem is { } h ? PerChar(r, h.ContextSwitches) : ""),
        new("NET_RX+TX softirqs/char daemon host", r => r.RemoteSystem is { } h ? PerChar(r, h.NetRxSoftirqs + h.NetTxSoftirqs) : ""),
        new("NIC interrupts/char daemon host", r => r.RemoteSystem?.NicInterrupts is { } n ? PerChar(r, n) : ""),
        new("packets/char daemon host", r => r.RemoteSystem is { RxPackets: { } rx, TxPackets: { } tx } ? PerChar(r, rx + tx) : ""),
        new("lost/dup/bad", r => $"{r.Integrity.Lost}/{r.Integrity.Duplicated}/{r.Integrity.Corrupted}", Numeric: false),
    ];

    /// <summary>"pipelined", or "pipelined (client zerocopy)" where the load client ran another strategy than the daemon's echo.</summary>
    public static string Strategies(BufferStrategy echo, BufferStrategy client) => client == echo ? echo.Name() : $"{echo.Name()} (client {client.Name()})";

    /// <inheritdoc cref="Strategies(BufferStrategy, BufferStrategy)"/>
    public static string Strategies(RunResult run) => Strategies(run.Strategy, run.ClientStrategyOrSame);

    /// <summary>A run's configuration in words: scenario, strategies, subdaemon, protocol.</summary>
    public static string Name(RunResult run) => Name(run.Scenario, run.Strategy, run.ClientStrategyOrSame, run.Subdaemon, run.Protocol);

    /// <inheritdoc cref="Name(RunResult)"/>
    public static string Name(Scenario scenario, BufferStrategy echo, BufferStrategy client, SubdaemonModel subdaemon, WireProtocol protocol) =>
        $"{scenario.Name()} {Strategies(echo, client)} {subdaemon.Name()} {protocol.Name()}";

    private static string Percentile(LatencySummary summary, double value, string name) =>
        summary.Count == 0 ? "" : Significant(value) + (summary.FewSamplesBeyond.Contains(name) ? ThinMark : "");

    private static string Ratio(double? ratio, double[]? range) =>
        ratio is { } r ? $"{Fixed(r, 2)} [{Fixed(range![0], 2)}–{Fixed(range[1], 2)}]" : "";

    /// <summary>
    /// A figure with its resolution: "0" only where even the resolution is below 0.01 B/char; below the resolution,
    /// "&lt;" and the resolution; otherwise the figure.
    /// </summary>
    public static string Bound(PerCharBound bound)
    {
        if (Math.Abs(bound.Value) < bound.Resolution)
        {
            return bound.Resolution < 0.01 ? "0" : "<" + Significant(bound.Resolution);
        }
        return Significant(bound.Value);
    }

    private static string PerChar(RunResult run, double total, long? chars = null) =>
        (chars ?? run.Chars) is var of && of == 0 ? "" : Significant(total / of);

    private static string Whole(double value) => Math.Round(value).ToString("0", CultureInfo.InvariantCulture);

    private static string Fixed(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>Three significant digits: 0.000123 and 123 alike stay readable; larger values whole.</summary>
    public static string Significant(double value)
    {
        if (value == 0)
        {
            return "0";
        }
        int decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 6);
        return Math.Round(value, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
