using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using RemoteLogin.Server.Protocols.Mux;
using RemoteLogin.Server.Sessions;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// The daemon's log: the one sink that writes lines on stderr, and the one reader of them. Each line is declared once,
/// as a template with holes, and both writing and reading go by that declaration, so a line cannot be written in one
/// wording and looked for in another. Events a person need not read (opened, started, a clean end...) write nothing.
/// A subdaemon child writes through its own log to the stderr it shares with the daemon, so one reading of that
/// stream yields both sides' events.
/// </summary>
internal sealed partial class DaemonLog(TextWriter? writer = null) : IDaemonEvents
{
    private static readonly Form[] Forms =
    [
        Form.Of<HandshakeFailed>("session {peer}: {text}; closing it", e => [Peer(e.Peer), e.Reason], h => new(Peer(h[0]), h[1])),
        Form.Of<SessionEnded>("session {peer} broke its protocol: {text}; closing it",
            e => e.End.Echo.Kind == EchoEndKind.ProtocolBroken && e.End.Started ? [Peer(e.Peer), e.End.Echo.Reason ?? ""] : null,
            h => new(Peer(h[0]), SessionEnd.Of(new EchoEnd(EchoEndKind.ProtocolBroken, h[1])))),
        // An unexpected failure's reason is the whole exception, stack trace and all, on the lines after it.
        Form.Of<SessionEnded>("session {peer} failed: {text}",
            e => e.End.Echo.Kind == EchoEndKind.Failed && e.End.Started ? [Peer(e.Peer), e.End.Echo.Reason ?? ""] : null,
            h => new(Peer(h[0]), SessionEnd.Of(new EchoEnd(EchoEndKind.Failed, h[1]))), continues: true),
        Form.Of<SessionEnded>("session {peer} could not start: {text}",
            e => e.End.NotStartedBecause is { } why ? [Peer(e.Peer), why] : null,
            h => new(Peer(h[0]), SessionEnd.NotStarted(h[1]))),
        Form.Of<DrainTimedOut>("{count} session(s) still running after {seconds} s: aborting them",
            e => [e.StillRunning.ToString(CultureInfo.InvariantCulture), e.Grace.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)],
            h => new(int.Parse(h[0], CultureInfo.InvariantCulture), TimeSpan.FromSeconds(double.Parse(h[1], CultureInfo.InvariantCulture)))),
        Form.Of<AcceptFailed>("accept failed {count} time(s): {text}; retrying with backoff",
            e => [e.Failures.ToString(CultureInfo.InvariantCulture), e.Reason], h => new(h[1], int.Parse(h[0], CultureInfo.InvariantCulture))),
        Form.Of<AcceptRecovered>("accepting again after {count} failed accept(s)",
            e => [e.Failures.ToString(CultureInfo.InvariantCulture)], h => new(int.Parse(h[0], CultureInfo.InvariantCulture))),
        Form.Of<SessionIdle>("session {peer} sent nothing for {seconds} s (--idle-timeout): closing it",
            e => [Peer(e.Peer), e.Limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)],
            h => new(Peer(h[0]), TimeSpan.FromSeconds(double.Parse(h[1], CultureInfo.InvariantCulture)))),
        Form.Of<LingerExpired>("session {peer} still sending {seconds} s after the daemon's FIN: closed, and what it sends next is answered with a reset",
            e => [Peer(e.Peer), e.Linger.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)],
            h => new(Peer(h[0]), TimeSpan.FromSeconds(double.Parse(h[1], CultureInfo.InvariantCulture)))),
        Form.Of<MuxBroken>("mux {peer}: {text}; closing it and its {count} terminal(s)",
            e => [Peer(e.Peer), e.Reason, e.Terminals.ToString(CultureInfo.InvariantCulture)], h => new(Peer(h[0]), h[1], int.Parse(h[2], CultureInfo.InvariantCulture))),
        Form.Of<ZeroCopyUnavailable>("session {peer}: zerocopy: {text}; echoing this session by copying",
            e => [Peer(e.Peer), e.Reason], h => new(Peer(h[0]), h[1])),
        Form.Of<ListenFailed>("RemoteLogin.Server: cannot listen on {peer}: {text}", e => [e.Listen, e.Reason], h => new(h[0], h[1])),
        Form.Of<NoSessionHandedOver>("subdaemon: the daemon did not hand over a session: {text}", e => [e.Reason], h => new(h[0])),
        Form.Of<SnapshotsStopped>("snapshot responder: {text}; no more snapshots", e => [e.Reason], h => new(h[0])),
    ];

    /// <summary>
    /// The daemon's and a child's log: standard error, as it is when each line is written. Opened now, at start: .NET
    /// opens it on first use by dup(2), and the first line is often the one saying the daemon is out of descriptors.
    /// </summary>
    public static DaemonLog StandardError { get; } = Opened(Console.Error);

    private static DaemonLog Opened(TextWriter standardError)
    {
        GC.KeepAlive(standardError);
        return new();
    }

    public void Raise(DaemonEvent daemonEvent)
    {
        if (Line(daemonEvent) is { } line)
        {
            try
            {
                (writer ?? Console.Error).WriteLine(line);
            }
            catch (IOException)
            {
                // A log that cannot be written loses a line, not the daemon.
            }
        }
    }

    /// <summary>The line a person reads for <paramref name="daemonEvent"/>, or null if it writes none.</summary>
    public static string? Line(DaemonEvent daemonEvent)
    {
        foreach (var form in Forms)
        {
            if (form.Format(daemonEvent) is { } line)
            {
                return line;
            }
        }
        return null;
    }

    /// <summary>The events a log says, in order, and the lines that are none of them (a crash's, say).</summary>
    public static ParsedLog Parse(string log)
    {
        var events = new List<DaemonEvent>();
        var unrecognized = new List<string>();
        Form? last = null;
        string[]? lastHoles = null;
        foreach (string line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')))
        {
            var (form, holes) = Forms.Select(f => (Form: f, Holes: f.Match(line))).FirstOrDefault(m => m.Holes is not null);
            if (form is not null)
            {
                Close();
                (last, lastHoles) = (form, holes);
            }
            else if (last is { Continues: true })
            {
                lastHoles![^1] += "\n" + line;
            }
            else
            {
                Close();
                unrecognized.Add(line);
            }
        }
        Close();
        return new ParsedLog(events, unrecognized);

        void Close()
        {
            if (last is not null)
            {
                events.Add(last.Make(lastHoles!));
            }
            (last, lastHoles) = (null, null);
        }
    }

    private static string Peer(EndPoint? peer) => peer?.ToString() ?? "";

    private static EndPoint? Peer(string text) =>
        TerminalEndPoint.TryParse(text, out var terminal) ? terminal : IPEndPoint.TryParse(text, out var peer) ? peer : null;

    [GeneratedRegex(@"\{(peer|count|seconds|text)\}")]
    private static partial Regex Hole();

    /// <summary>One line's template. Holes: <c>{peer}</c> (no spaces), <c>{count}</c>, <c>{seconds}</c>, <c>{text}</c> (anything).</summary>
    private sealed class Form
    {
        private readonly string[] _literals; // around the holes: one more than there are holes
        private readonly Regex _pattern;
        private readonly Func<DaemonEvent, string[]?> _holes;
        private readonly Func<string[], DaemonEvent> _make;

        private Form(string template, Func<DaemonEvent, string[]?> holes, Func<string[], DaemonEvent> make, bool continues)
        {
            var pattern = new StringBuilder("^");
            var literals = new List<string>();
            int at = 0;
            foreach (Match hole in Hole().Matches(template))
            {
                literals.Add(template[at..hole.Index]);
                pattern.Append(Regex.Escape(literals[^1])).Append(hole.Groups[1].Value switch
                {
                    "peer" => @"(\S*)",
                    "count" => @"(\d+)",
                    "seconds" => @"([0-9.]+)",
                    _ => "(.*)",
                });
                at = hole.Index + hole.Length;
            }
            literals.Add(template[at..]);
            _literals = [.. literals];
            _pattern = new Regex(pattern.Append(Regex.Escape(literals[^1])).Append('$').ToString(), RegexOptions.CultureInvariant);
            _holes = holes;
            _make = make;
            Continues = continues;
        }

        /// <summary>Whether the lines after this one, up to the next event, belong to its last hole.</summary>
        public bool Continues { get; }

        public static Form Of<T>(string template, Func<T, string[]?> holes, Func<string[], T> make, bool continues = false)
            where T : DaemonEvent =>
            new(template, e => e is T typed ? holes(typed) : null, h => make(h), continues);

        public string? Format(DaemonEvent daemonEvent)
        {
            if (_holes(daemonEvent) is not { } holes)
            {
                return null;
            }
            var line = new StringBuilder(_literals[0]);
            for (int i = 0; i < holes.Length; i++)
            {
                line.Append(holes[i]).Append(_literals[i + 1]);
            }
            return line.ToString();
        }

        public string[]? Match(string line)
        {
            var match = _pattern.Match(line);
            return match.Success ? [.. match.Groups.Cast<Group>().Skip(1).Select(g => g.Value)] : null;
        }

        public DaemonEvent Make(string[] holes) => _make(holes);
    }
}

/// <summary>A log read back: its events in order, and the lines that were not one.</summary>
internal sealed record ParsedLog(IReadOnlyList<DaemonEvent> Events, IReadOnlyList<string> Unrecognized);
