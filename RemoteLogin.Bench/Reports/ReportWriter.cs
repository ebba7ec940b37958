using System.Text;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Reports;

/// <summary>results.json, results.md and results.csv: one document, three readers.</summary>
internal static class ReportWriter
{
    public static void WriteAll(string directory, ResultsDocument document)
    {
        Directory.CreateDirectory(directory);
        // Each file is written whole beside its final name and moved over it, so a reader never sees half a file.
        Replace(Path.Combine(directory, "results.json"), ResultsJson.Serialize(document));
        Replace(Path.Combine(directory, "results.md"), Markdown(document));
        Replace(Path.Combine(directory, "results.csv"), Csv(document.Runs));
    }

    public static string Title(ResultsDocument document)
    {
        var floors = document.Floors is { } f
            ? $"floors p50: blocking {RunColumns.Significant(f.Blocking.RttMicros.P50)} µs" +
              (f.Spin is { } spin ? $", spin {RunColumns.Significant(spin.RttMicros.P50)} µs" : "") +
              (f.Stream is { } stream ? $", stream {stream.CharsPerSecond / 1e6:0.#} M chars/s" : "") + " (median measurement)"
            : "no floor yet";
        var switches = document.Settings.Count == 0 ? "" : "; " + string.Join(", ", document.Settings.Select(kv => $"{kv.Key}={kv.Value}"));
        return $"{document.Machine.CpuCount} cores, {document.Machine.Runtime}, kernel {document.Machine.Kernel}; {floors}; seed {document.Seed}{switches}";
    }

    /// <summary>What a reader must be told before trusting a row, one line per note.</summary>
    public static IEnumerable<string> Warnings(ResultsDocument document) => document.Runs.SelectMany(RunNotes.Of).Select(n => n.Sentence);

    public static string Markdown(ResultsDocument document)
    {
        // A column no run fills (the daemon host's in a one-host run) is left out here; results.csv keeps every one.
        var columns = RunColumns.All.Where(c => document.Runs.Count == 0 ? c.Matters is null : document.Runs.Any(c.MattersFor)).ToList();
        var text = new StringBuilder();
        text.AppendLine("# RemoteLogin comparison").AppendLine();
        foreach (var paragraph in document.Report?.Paragraphs(document.Quick) ?? [])
        {
            text.AppendLine(paragraph).AppendLine();
        }
        text.AppendLine(Title(document)).AppendLine();
        text.AppendLine("```");
        foreach (var line in document.Environment.Describe())
        {
            text.AppendLine(line);
        }
        text.AppendLine("```").AppendLine();
        if (!document.Complete)
        {
            text.AppendLine("**Incomplete: the bench is still running, or stopped before the end.**").AppendLine();
        }
        text.AppendLine("Every configuration runs twice per round: a *timed* pass with nothing attached (latency, CPU, context switches, allocations, copies; the daemon reads itself at the two edges on request) and a *counted* pass with perf and the metrics session attached (system calls, the daemon's meter). "
            + "Round trips in µs; a percentile marked " + RunColumns.ThinMark + " has fewer than 10 samples beyond it. "
            + "p50/floor and p50/spin: the median over rounds of each round's p50 over the lower of the floors measured right before and right after it, each in a fresh process: blocking (sleep-and-wake one-byte ping-pong) and spin (the same, polling, never sleeping); [min–max] over rounds. "
            + "A paste is a throughput: chars/s over the stream floor (a blocking echo of 64 KB reads). A round is disturbed when its floors before and after differ by more than 2×. "
            + "Per-character counters are deltas over the measured part divided by the characters measured; remote = the daemon and its subdaemon children together; 'in children' is the children's part of it; setup = connect to first echo, per warm session. "
            + "alloc: exact managed bytes; '<x' where the figure is below what the edge readings themselves allocate, '0' only where that is below 0.01 B/char. "
            + "syscalls: every system call of the process, its threads and children (perf stat -e raw_syscalls:sys_enter). copied: bytes the strategies copied into, out of or within user-space memory (splice copies none). Interrupts and NET_RX softirqs are the whole machine's. "
            + "daemon host: in a two-host run, the daemon's machine's kernel over the timed pass (all of that machine, read there by the bench's companion at the two edges), per character.").AppendLine();
        AppendTable(text, columns, document.Runs);
        var pastes = PasteTime.Rows(document.Runs);
        if (pastes.Count > 0)
        {
            text.AppendLine().AppendLine("## Where a paste's time goes").AppendLine();
            text.AppendLine(PasteTime.Legend).AppendLine();
            AppendTable(text, PasteTime.Columns, pastes);
        }
        AppendHosts(text, document);
        var warnings = Warnings(document).ToList();
        if (warnings.Count > 0)
        {
            text.AppendLine().AppendLine("## Read with care").AppendLine();
            foreach (var warning in warnings)
            {
                text.AppendLine($"- {warning}");
            }
        }
        return text.ToString();
    }

    private static void AppendTable(StringBuilder text, IReadOnlyList<Column> columns, IEnumerable<RunResult> runs)
    {
        text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
        text.AppendLine("|" + string.Join("|", columns.Select(c => c.Numeric ? "---:" : "---")) + "|");
        foreach (var run in runs)
        {
            text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Format(run))) + " |");
        }
    }

    /// <summary>A two-host run: the daemon's machine, and each load host's part of every run spread over several.</summary>
    private static void AppendHosts(StringBuilder text, ResultsDocument document)
    {
        if (document.DaemonMachine is { } daemon)
        {
            text.AppendLine().AppendLine($"## The daemon's host: {daemon.Machine.Processor}, {daemon.Machine.CpuCount} cores, kernel {daemon.Machine.Kernel}").AppendLine();
            text.AppendLine("```");
            foreach (var line in daemon.Environment.Describe().Concat(daemon.Network?.Describe() ?? []))
            {
                text.AppendLine(line);
            }
            text.AppendLine("```");
        }
        var spread = document.Runs.Where(r => r.Hosts is { Count: > 0 }).ToList();
        if (spread.Count > 0)
        {
            text.AppendLine().AppendLine("## Load hosts").AppendLine();
            text.AppendLine("| scenario | strategy | subdaemon | protocol | host | sessions | p50 µs | p99 µs | chars/s | lost/dup/bad |");
            text.AppendLine("|---|---|---|---|---|---:|---:|---:|---:|---|");
            foreach (var run in spread)
            {
                foreach (var host in run.Hosts!)
                {
                    text.AppendLine($"| {run.Scenario.Name()} | {RunColumns.Strategies(run)} | {run.Subdaemon.Name()} | {run.Protocol.Name()} | {host.Host} | {host.Sessions} | "
                        + $"{RunColumns.Significant(host.RttMicros.P50)} | {RunColumns.Significant(host.RttMicros.P99)} | {RunColumns.Significant(host.CharsPerSecond)} | "
                        + $"{host.Integrity.Lost}/{host.Integrity.Duplicated}/{host.Integrity.Corrupted} |");
                }
            }
        }
    }

    public static string Csv(IEnumerable<RunResult> runs)
    {
        var columns = RunColumns.All;
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", columns.Select(c => Quote(c.Header))));
        foreach (var run in runs)
        {
            text.AppendLine(string.Join(",", columns.Select(c => Quote(c.Format(run)))));
        }
        return text.ToString();
    }

    private static void Replace(string path, string contents)
    {
        string partial = path + ".partial";
        File.WriteAllText(partial, contents);
        File.Move(partial, path, overwrite: true);
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
