using RemoteLogin.Results;
using Spectre.Console;

namespace RemoteLogin.Bench.Reports;

/// <summary>
/// The comparison as a table on the terminal: the headline columns (<see cref="RunColumns.Headline"/>), which fit a
/// wide terminal without splitting a number; results.md and results.csv have every column.
/// </summary>
internal static class ConsoleReport
{
    public static void Show(ResultsDocument document, string directory)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 260); // a log file has no terminal edge to wrap at
        }
        // A column no run fills (the daemon host's counters in a one-host run), or none needs (the client's strategy
        // where every client ran the daemon's), is left out.
        var empty = RunColumns.Headline.Where(c => !document.Runs.Any(c.MattersFor)).ToList();
        // A column whose every cell is the same (one subdaemon, one protocol) is said once in the caption instead.
        var constant = RunColumns.Headline.Except(empty)
            .Where(c => !c.Numeric && document.Runs.Select(c.Format).Distinct().Count() == 1 && document.Runs.Count > 1).ToList();
        var columns = RunColumns.Headline.Except(constant).Except(empty).ToList();
        var table = Table(ReportWriter.Title(document), columns, document.Runs)
            .Caption(Markup.Escape(string.Join(", ", constant.Select(c => $"{c.Header}: {c.Format(document.Runs[0])}"))));
        foreach (var line in document.Environment.Describe())
        {
            AnsiConsole.WriteLine(line);
        }
        AnsiConsole.Write(table);
        ShowPasteTime(document.Runs);
        foreach (var warning in ReportWriter.Warnings(document))
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(warning)}[/]");
        }
        AnsiConsole.MarkupLine($"Results in [bold]{Markup.Escape(directory)}[/]: results.csv has all {RunColumns.All.Count} columns and results.md every one a run fills " +
            "(context switches, system calls, allocations, copies, interrupts per character), results.json every round, one .hlog per run.");
    }

    /// <summary>The pastes' time per character by side, as in results.md (whose legend says what each figure is).</summary>
    private static void ShowPasteTime(IReadOnlyList<RunResult> runs)
    {
        var pastes = PasteTime.Rows(runs);
        if (pastes.Count == 0)
        {
            return;
        }
        AnsiConsole.Write(Table("Where a paste's time goes, ns per character (results.md says what each is)", PasteTime.Columns, pastes));
    }

    /// <summary>One row per run, one column per <see cref="Column"/>, numbers aligned right, as results.md lays them out.</summary>
    private static Table Table(string title, IReadOnlyList<Column> columns, IEnumerable<RunResult> runs)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        foreach (var column in columns)
        {
            var tableColumn = new TableColumn(Markup.Escape(column.Header));
            table.AddColumn(column.Numeric ? tableColumn.RightAligned() : tableColumn);
        }
        foreach (var run in runs)
        {
            table.AddRow(columns.Select(c => Markup.Escape(c.Format(run))).ToArray());
        }
        return table;
    }
}
