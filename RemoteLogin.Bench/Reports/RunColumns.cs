using System.Globalization;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Reports;

/// <summary>One column of the comparison: the same header and formatting in the console, results.md and results.csv.</summary>
public sealed record Column(string Header, Func<RunResult, string> Format, bool Numeric = true);

/// <summary>The comparison's columns. Per-character figures divide a run's counter deltas by the characters it measured.</summary>
public static class RunColumns
{
    public static IReadOnlyList<Column> All { get; } =
    [
        new("scenario", r => r.Scenario.Name(), Numeric: false),
        new("strategy", r => r.Strategy.Name(), Numeric: false),
        new("subdaemon", r => r.Subdaemon.Name(), Numeric: false),
        new("protocol", r => r.Protocol.Name(), Numeric: false),
        new("sessions", r => Whole(r.Sessions)),
        new("chars", r => Whole(r.Chars)),
        new("p50 µs", r => Whole(r.RttMicros.P50)),
        new("p99 µs", r => Whole(r.RttMicros.P99)),
        new("p99.9 µs", r => Whole(r.RttMicros.P999)),
        new("p50/floor", r => r.P50OverFloor is { } ratio ? $"{Fixed(ratio, 2)} [{Fixed(r.P50OverFloorRange![0], 2)}–{Fixed(r.P50OverFloorRange[1], 2)}]" : ""),
        new("chars/s", r => Whole(r.CharsPerSecond)),
        new("setup p50 µs", r => r.SetupMicros is { Count: > 0 } setup ? Whole(setup.P50) : ""),
        new("ctx sw/char client", r => PerChar(r, r.Client.ContextSwitches)),
        // The remote side is the daemon and its subdaemon children together; "in children" is the children's part of it.
        new("ctx sw/char remote", r => r.Server is { } s ? PerChar(r, s.ContextSwitches) : ""),
        new("ctx sw/char in children", r => r.ServerSubdaemons is { } c ? PerChar(r, c.ContextSwitches) : ""),
        new("CPU µs/char client", r => PerChar(r, r.Client.CpuMicros)),
        new("CPU µs/char remote", r => r.Server is { } s ? PerChar(r, s.CpuMicros) : ""),
        new("CPU µs/char in children", r => r.ServerSubdaemons is { } c ? PerChar(r, c.CpuMicros) : ""),
        // perf's count of every system call, the runtime's own included; empty when perf could not count.
        new("syscalls/char client", r => r.Client.Syscalls is { } n ? PerChar(r, n) : ""),
        new("syscalls/char remote", r => r.Server?.Syscalls is { } n ? PerChar(r, n) : ""),
        new("alloc B/char client", r => PerChar(r, r.Client.AllocatedBytes)),
        new("alloc B/char remote", r => r.Server is { } s ? PerChar(r, s.AllocatedBytes) : ""),
        // Bytes copied into, out of and within user-space memory, as the strategies count them; splice copies none.
        new("copied B/char client", r => r.Client.Copied is { } c ? PerChar(r, c.Total) : ""),
        new("copied B/char remote", r => r.Server?.Copied is { } c ? PerChar(r, c.Total) : ""),
        new("echo sends/char", r => r.ServerMeter?.GetValueOrDefault("remotelogin.server.echo.send_calls") is { } sends ? PerChar(r, sends) : ""),
        // The whole machine's, not RemoteLogin's alone.
        new("interrupts/char system-wide", r => PerChar(r, r.System.Interrupts)),
        new("NET_RX softirqs/char system-wide", r => PerChar(r, r.System.NetRxSoftirqs)),
        new("lost/dup/bad", r => $"{r.Integrity.Lost}/{r.Integrity.Duplicated}/{r.Integrity.Corrupted}", Numeric: false),
    ];

    private static string PerChar(RunResult run, double total) => run.Chars == 0 ? "" : Significant(total / run.Chars);

    private static string Whole(double value) => Math.Round(value).ToString("0", CultureInfo.InvariantCulture);

    private static string Fixed(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>Three significant digits: 0.000123 and 123 alike stay readable.</summary>
    private static string Significant(double value)
    {
        if (value == 0)
        {
            return "0";
        }
        int decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 6);
        return Math.Round(value, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
