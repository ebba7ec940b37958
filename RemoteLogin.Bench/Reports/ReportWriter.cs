using System.Globalization;
using System.Text;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Reports;

/// <summary>results.json, results.md and results.csv: one document, three readers.</summary>
public static class ReportWriter
{
    public static void WriteAll(string directory, ResultsDocument document)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "results.json"), ResultsJson.Serialize(document));
        File.WriteAllText(Path.Combine(directory, "results.md"), Markdown(document));
        File.WriteAllText(Path.Combine(directory, "results.csv"), Csv(document.Runs));
    }

    public static string Title(ResultsDocument document)
    {
        var floor = document.Floor is { } f ? $"floor p50 {f.RttMicros.P50} µs (blocking one-byte ping-pong, median round)" : "no floor";
        var switches = document.Settings.Count == 0 ? "" : "; " + string.Join(", ", document.Settings.Select(kv => $"{kv.Key}={kv.Value}"));
        return $"{document.Machine.CpuCount} cores, {document.Machine.Runtime}, kernel {document.Machine.Kernel}; {floor}{switches}";
    }

    public static string Markdown(ResultsDocument document)
    {
        var columns = RunColumns.All;
        var text = new StringBuilder();
        text.AppendLine("# RemoteLogin comparison").AppendLine();
        text.AppendLine(Title(document)).AppendLine();
        text.AppendLine("Round trips in µs; p50/floor is the median over rounds of each run's p50 over the floor measured beside it, [min–max] over rounds. "
            + "Per-character counters are deltas over the measured part divided by the characters measured; remote = the daemon and its subdaemon children together, net of the metering; 'in children' is the children's part of it; setup = connect to first echo, per session. "
            + "syscalls: every system call of the process, its threads and children (perf stat -e raw_syscalls:sys_enter). copied: bytes the strategies copied into, out of or within user-space memory (a receive, a send, a copy between buffers; splice copies none). Interrupts and NET_RX softirqs are the whole machine's.").AppendLine();
        text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
        text.AppendLine("|" + string.Join("|", columns.Select(c => c.Numeric ? "---:" : "---")) + "|");
        foreach (var run in document.Runs)
        {
            text.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Format(run))) + " |");
        }
        return text.ToString();
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

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
