using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Reports;

/// <summary>
/// Where a paste's time goes, per character and per side, from the counters the run already has (getrusage of each
/// side over the timed pass, the client's own clock on its echo check, perf's system calls from the counted pass).
/// A figure the run lacks is null, never guessed: an older client writes no check time, and then neither the check
/// nor the rest of the client's user time can be told.
/// </summary>
internal sealed record PasteTime(
    double WallNanos,
    double? ClientCpuNanos,
    double? ClientCheckNanos,
    double? ClientUserOtherNanos,
    double? ClientSystemNanos,
    double? DaemonCpuNanos,
    double? DaemonUserNanos,
    double? DaemonSystemNanos,
    double? ClientSyscalls,
    double? DaemonSyscalls)
{
    /// <summary>The paste's breakdown; null for any other scenario, or a run that measured no character.</summary>
    public static PasteTime? Of(RunResult run)
    {
        if (run.Scenario != Scenario.Paste || run.Chars == 0 || run.CharsPerSecond <= 0)
        {
            return null;
        }
        double chars = run.Chars;
        // A side's figures are deltas between two readings, the daemon's with the cost of answering them taken out: a
        // tiny one can come out below zero, which is no time at all, so it is left out rather than shown.
        double? Nanos(double? micros) => micros is { } m && m >= 0 ? m * 1000 / chars : null;
        double? check = Nanos(run.ClientCheckMicros);
        double? user = Nanos(run.Client.CpuUserMicros);
        // The check is part of the client's user time; a check by a wall clock that ran while the client was off the
        // CPU can exceed it, and a negative remainder would be a wrong number, so it is left out too.
        double? other = check is { } c && user is { } u && u >= c ? u - c : null;
        var server = run.Server;
        return new PasteTime(
            1e9 / run.CharsPerSecond,
            Nanos(run.Client.CpuMicros),
            check,
            other,
            Nanos(run.Client.CpuSystemMicros),
            Nanos(server?.CpuMicros),
            Nanos(server?.CpuUserMicros),
            Nanos(server?.CpuSystemMicros),
            run.Client.Syscalls is { } clientCalls ? clientCalls / chars : null,
            server?.Syscalls is { } daemonCalls ? daemonCalls / chars : null);
    }

    /// <summary>The table's columns, for the paste rows of results.md and the console.</summary>
    public static IReadOnlyList<Column> Columns { get; } =
    [
        new("strategy", RunColumns.Strategies, Numeric: false),
        new("subdaemon", r => r.Subdaemon.Name(), Numeric: false),
        new("protocol", r => r.Protocol.Name(), Numeric: false),
        new("wall ns/char", r => Cell(Of(r)?.WallNanos)),
        new("client CPU", r => Cell(Of(r)?.ClientCpuNanos)),
        new("client check", r => Cell(Of(r)?.ClientCheckNanos)),
        new("client user other", r => Cell(Of(r)?.ClientUserOtherNanos)),
        new("client system", r => Cell(Of(r)?.ClientSystemNanos)),
        new("daemon CPU", r => Cell(Of(r)?.DaemonCpuNanos)),
        new("daemon user", r => Cell(Of(r)?.DaemonUserNanos)),
        new("daemon system", r => Cell(Of(r)?.DaemonSystemNanos)),
        new("syscalls/char client", r => Cell(Of(r)?.ClientSyscalls)),
        new("syscalls/char daemon", r => Cell(Of(r)?.DaemonSyscalls)),
    ];

    /// <summary>The runs the table has a row for: the pastes.</summary>
    public static IReadOnlyList<RunResult> Rows(IEnumerable<RunResult> runs) => [.. runs.Where(r => Of(r) is not null)];

    /// <summary>One sentence above the table: what its figures are.</summary>
    public const string Legend =
        "Per character of each paste, in ns: wall = 1e9 / chars/s (both sides run at once, so their CPU can add up to more, and where it adds up to much less, neither was on a CPU most of the time); "
        + "client CPU = the load client's user + system time (exact: the scheduler's run time); client check = the client's own clock on checking echoes (clientCheckMicros), empty from a client that does not write it; "
        + "client user other = its user CPU less its check; client system = its kernel time, its sends and receives with their copies; "
        + "daemon CPU, user and system = the daemon with its subdaemon children, the same way (timed pass, getrusage). "
        + "The user/system split follows the kernel's 4 ms ticks on these VMs: coarse over a paste of a few ms. "
        + "Kernel time is charged to whichever task was running: over loopback a send runs the receiver's TCP input in the sender's softirq, so part of one side's system time is the other's receive. "
        + "syscalls/char: perf's count of each side's system calls in the counted pass. An empty cell is a figure the run does not have (or a delta below zero).";

    private static string Cell(double? value) => value is { } v ? RunColumns.Significant(v) : "";
}
