using System.Text.Json;
using RemoteLogin.Results;

namespace RemoteLogin.Measurement;

/// <summary>
/// The remote side at one moment, as the daemon reads it when asked (RemoteLogin.Server --control-stdin): the daemon
/// itself, with what answering costs left out; its subdaemon children, null under a model that has none; and the
/// echo counts of both; and the daemon's process id, which a bench on another host cannot learn otherwise (its
/// counters there attach to it). Two snapshots taken at the edges of a measured part give what that part cost, with nothing
/// periodic running inside it.
/// </summary>
/// <remarks>
/// The exchange, one line each way: the request <c>snapshot</c> on the daemon's standard input, the reply
/// <c>snapshot JSON</c> (this record, camelCase) on its standard output. Any other request gets <c>error WHY</c>, so
/// that every request line has exactly one reply line.
/// </remarks>
public sealed record DaemonSnapshot(ProcessCounters Daemon, ProcessCounters? Subdaemons, EchoCounts Echo, int ProcessId)
{
    public const string Request = "snapshot";
    public const string ErrorPrefix = "error ";
    private const string ReplyPrefix = "snapshot ";

    // One line: the reply is a line of the daemon's standard output.
    private static readonly JsonSerializerOptions s_line = new(ResultsJson.Options) { WriteIndented = false };

    /// <summary>
    /// What the remote side cost between <paramref name="start"/> and <paramref name="end"/>, the "server" object of
    /// results.json: the daemon and its children together, the copies from the echo counts. No system calls: those
    /// are perf's, in the counted pass.
    /// </summary>
    public static ProcessCounters ServerCost(DaemonSnapshot start, DaemonSnapshot end)
    {
        var daemon = end.Daemon - start.Daemon;
        var both = SubdaemonsCost(start, end) is { } children ? daemon + children : daemon;
        return both with { Copied = (end.Echo - start.Echo).Copied, Syscalls = null };
    }

    /// <summary>The children's part of <see cref="ServerCost"/> alone (copies not split by process), or null under a model without children.</summary>
    public static ProcessCounters? SubdaemonsCost(DaemonSnapshot start, DaemonSnapshot end) =>
        end.Subdaemons is { } e && start.Subdaemons is { } s ? (e - s) with { Copied = null, Syscalls = null } : null;

    /// <summary>The echo's counts between <paramref name="start"/> and <paramref name="end"/>.</summary>
    public static EchoCounts EchoBetween(DaemonSnapshot start, DaemonSnapshot end) => end.Echo - start.Echo;

    /// <summary>The reply line, without its newline.</summary>
    public string ToReply() => ReplyPrefix + JsonSerializer.Serialize(this, s_line);

    /// <summary>The snapshot in a reply line; a line that is not one (an <c>error</c> reply included) throws <see cref="FormatException"/>.</summary>
    public static DaemonSnapshot FromReply(string line)
    {
        if (!line.StartsWith(ReplyPrefix, StringComparison.Ordinal))
        {
            throw new FormatException($"not a snapshot reply: '{line}'");
        }
        try
        {
            return ResultsJson.Deserialize<DaemonSnapshot>(line[ReplyPrefix.Length..]);
        }
        catch (JsonException e)
        {
            throw new FormatException($"a snapshot reply that does not parse ({e.Message}): '{line}'", e);
        }
    }
}
