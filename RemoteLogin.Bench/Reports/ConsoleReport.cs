using RemoteLogin.Results;
using Spectre.Console;

namespace RemoteLogin.Bench.Reports;

/// <summary>
/// The comparison as a table on the terminal: the headline columns (<see cref="RunColumns.Headline"/>), which fit a
/// wide terminal without splitting a number; results.md and results.csv have every column.
/// </summary>
public static class ConsoleReport
{
    public static void Show(ResultsDocument document, string directory)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 260); // a log file has no terminal edge to wrap at
        }
        // A column whose every cell is the same (one subdaemon, one protocol) is said once in the caption instead.
        var constant = RunColumns.Headline.Where(c => !c.Numeric && document.Runs.Select(c.Format).Distinct().Count() == 1 && document.Runs.Count > 1).ToList();
        // A column no run fills (the daemon host's counters in a one-host run) is left out.
        var empty = RunColumns.Headline.Where(c => document.Runs.All(r => c.Format(r).Length == 0)).ToList();
        var columns = RunColumns.Headline.Except(constant).Except(empty).ToList();
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(ReportWriter.Title(document)))
            .Caption(Markup.Escape(string.Join(", ", constant.Select(c => $"{c.Header}: {c.Format(document.Runs[0])}"))));
        foreach (var column in columns)
        {
            var tableColumn = new TableColumn(Markup.Escape(column.Header));
            table.AddColumn(column.Numeric ? tableColumn.RightAligned() : tableColumn);
        }
        foreach (var run in document.Runs)
        {
            table.AddRow(columns.Select(c => Markup.Escape(c.Format(run))).ToArray());
        }
        foreach (var line in document.Environment.Describe())
        {
            AnsiConsole.WriteLine(line);
        }
        AnsiConsole.Write(table);
        foreach (var warning in ReportWriter.Warnings(document))
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(warning)}[/]");
        }
        AnsiConsole.MarkupLine($"Results in [bold]{Markup.Escape(directory)}[/]: results.csv has all {RunColumns.All.Count} columns and results.md every one a run fills " +
            "(context switches, system calls, allocations, copies, interrupts per character), results.json every round, one .hlog per run.");
    }
}
