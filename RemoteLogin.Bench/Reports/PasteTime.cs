using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Reports;

/// <summary>
/// Where a paste's time goes, per character and per side, from the counters the run already has (getrusage of each
/// side over the timed pass, the client's own clock on its echo check, perf's system calls from the counted pass).
/// A figure the run lacks is null, never guessed: an older client writes no check time, and then neither the check
/// nor the rest of the client's user time can be told.
/// </summary>
public sealed record PasteTime(
    double WallNanos,
    double? ClientCheckNanos,
    double? ClientUserOtherNanos,
    double ClientSystemNanos,
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
        double Nanos(double micros) => micros * 1000 / chars;
        double? check = run.ClientCheckMicros is { } micros ? Nanos(micros) : null;
        // The check is part of the client's user time; a check by a wall clock that ran while the client was off the
        // CPU can exceed it, and a negative remainder would be a wrong number, so it is left out.
        double user = Nanos(run.Client.CpuUserMicros);
        double? other = check is { } c && user >= c ? user - c : null;
        return new PasteTime(
            1e9 / run.CharsPerSecond,
            check,
            other,
            Nanos(run.Client.CpuSystemMicros),
            run.Server is { } server ? Nanos(server.CpuUserMicros) : null,
            run.Server is { } daemon ? Nanos(daemon.CpuSystemMicros) : null,
            run.Client.Syscalls is { } clientCalls ? clientCalls / chars : null,
            run.Server?.Syscalls is { } daemonCalls ? daemonCalls / chars : null);
    }

    /// <summary>The table's columns, for the paste rows of results.md and the console.</summary>
    public static IReadOnlyList<Column> Columns { get; } =
    [
        new("strategy", RunColumns.Strategies, Numeric: false),
        new("subdaemon", r => r.Subdaemon.Name(), Numeric: false),
        new("protocol", r => r.Protocol.Name(), Numeric: false),
        new("wall ns/char", r => Cell(Of(r)?.WallNanos)),
        new("client check", r => Cell(Of(r)?.ClientCheckNanos)),
        new("client user other", r => Cell(Of(r)?.ClientUserOtherNanos)),
        new("client system", r => Cell(Of(r)?.ClientSystemNanos)),
        new("daemon user", r => Cell(Of(r)?.DaemonUserNanos)),
        new("daemon system", r => Cell(Of(r)?.DaemonSystemNanos)),
        new("syscalls/char client", r => Cell(Of(r)?.ClientSyscalls)),
        new("syscalls/char daemon", r => Cell(Of(r)?.DaemonSyscalls)),
    ];

    /// <summary>The runs the table has a row for: the pastes.</summary>
    public static IReadOnlyList<RunResult> Rows(IEnumerable<RunResult> runs) => [.. runs.Where(r => Of(r) is not null)];

    /// <summary>One sentence above the table: what its figures are.</summary>
    public const string Legend =
        "Per character of each paste, in ns of CPU unless named: wall = 1e9 / chars/s (both sides run at once, so CPU can add up to more); "
        + "client check = the load client's own clock on checking echoes (clientCheckMicros), empty from a client that does not write it; "
        + "client user other = the client's user CPU less its check; client system = its kernel time, its sends and receives with their copies; "
        + "daemon user and system = the daemon with its subdaemon children, the same way (timed pass, getrusage). "
        + "Kernel time is charged to whichever task was running: over loopback a send runs the receiver's TCP input in the sender's softirq, so part of one side's system time is the other's receive. "
        + "syscalls/char: perf's count of each side's system calls in the counted pass, empty where perf could not count.";

    private static string Cell(double? value) => value is { } v ? RunColumns.Significant(v) : "";
}
