using System.Globalization;

namespace RemoteLogin.Bench.Reports;

/// <summary>
/// What makes a results document a report kept in the repository (<c>--report DIR</c>): the command that made it and
/// makes it again, when, and where the run's own files stayed (its histogram logs and clients' documents, which the
/// repository does not keep). Public only because <see cref="ResultsDocument"/> is.
/// </summary>
/// <param name="Command">The command line, as typed from the repository's root, that refreshes the report.</param>
/// <param name="Generated">When the run ended, UTC.</param>
/// <param name="RunDirectory">The run's own directory (<c>--out</c>), relative to where the bench was started when it lies below it.</param>
internal sealed record ReportOrigin(string Command, DateTimeOffset Generated, string RunDirectory)
{
    /// <summary>How the README and the report itself name the bench; the arguments follow <c>--</c>.</summary>
    public const string BenchCommand = "dotnet run -c Release --project RemoteLogin.Bench";

    public static ReportOrigin Of(IEnumerable<string> arguments, string runDirectory, DateTimeOffset generated)
    {
        var given = arguments.Select(Quoted).ToList();
        string command = given.Count == 0 ? BenchCommand : $"{BenchCommand} -- {string.Join(' ', given)}";
        string full = Path.GetFullPath(runDirectory);
        string relative = Path.GetRelativePath(System.Environment.CurrentDirectory, full);
        return new ReportOrigin(command, generated, relative.StartsWith("..", StringComparison.Ordinal) ? full : relative);
    }

    /// <summary>The paragraphs results.md opens with, so that a reader of the report knows what refreshes it.</summary>
    public IEnumerable<string> Paragraphs(bool quick)
    {
        yield return $"The bench wrote this report: `{Command}`, run from the repository's root, made it at "
            + $"{Generated.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC from the commit named below, and makes it again. "
            + "results.json and results.csv beside it hold the same runs (results.json every round, results.csv every column); "
            + $"the run's histogram logs and its clients' own documents stayed in `{RunDirectory}`, which the repository does not keep.";
        if (quick)
        {
            yield return "**A `--quick` run: one round of smaller runs, made to show the report's layout; its figures are not the comparison's.**";
        }
    }

    /// <summary>A word a shell would split or expand goes in single quotes, so the command can be pasted back.</summary>
    private static string Quoted(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:@+".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
