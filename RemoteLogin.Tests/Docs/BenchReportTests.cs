using System.Text.Json;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Docs;

/// <summary>
/// The report kept in the repository is one the bench writes (<c>--report</c>): the run's three documents with the
/// command that refreshes them, none of its histogram logs, and only from a run that held.
/// </summary>
public class BenchReportTests
{
    /// <summary>The smallest run there is: one configuration, one round, a few seconds.</summary>
    private static readonly string[] OneRun =
        ["--quick", "--scenarios", "interactive", "--strategies", "naive", "--subdaemons", "thread", "--protocols", "raw", "--seed", "7"];

    [Fact]
    public async Task A_report_is_the_runs_documents_with_the_command_that_refreshes_them_and_no_histogram_logs()
    {
        using var run = new ScratchDirectory("report-run");
        using var report = new ScratchDirectory("report");
        string[] arguments = [.. OneRun, "--out", run.Path, "--report", report.Path];
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench", arguments), limit: TimeSpan.FromMinutes(5));

        Assert.True(outcome.ExitCode == 0, outcome.StandardError + outcome.StandardOutput);
        Assert.Equal(["results.csv", "results.json", "results.md"], Directory.EnumerateFileSystemEntries(report.Path).Select(Path.GetFileName).Order());
        Assert.NotEmpty(Directory.EnumerateFiles(run.Path, "*.hlog"));

        string command = "dotnet run -c Release --project RemoteLogin.Bench -- " + string.Join(' ', arguments);
        string markdown = File.ReadAllText(report.File("results.md"));
        Assert.Contains($"`{command}`", markdown);
        Assert.Contains("A `--quick` run", markdown);
        Assert.Contains("clocksource", markdown); // the environment, as the run's own results.md has it
        Assert.Contains(outcome.StandardOutput.Split('\n'), line => line.Contains($"report in {report.Path}", StringComparison.Ordinal));
        Assert.DoesNotContain("The bench wrote this report", File.ReadAllText(run.File("results.md")));

        using var reported = JsonDocument.Parse(File.ReadAllText(report.File("results.json")));
        using var measured = JsonDocument.Parse(File.ReadAllText(run.File("results.json")));
        var origin = reported.RootElement.GetProperty("report");
        Assert.Equal(command, origin.GetProperty("command").GetString());
        Assert.EndsWith(Path.GetFileName(run.Path), origin.GetProperty("runDirectory").GetString());
        Assert.False(measured.RootElement.TryGetProperty("report", out _));
        // One document: the report's runs are the run's, figure for figure.
        Assert.Equal(measured.RootElement.GetProperty("runs").GetRawText(), reported.RootElement.GetProperty("runs").GetRawText());
        Assert.Equal(File.ReadAllText(run.File("results.csv")), File.ReadAllText(report.File("results.csv")));
    }

    [Fact]
    public async Task A_run_that_failed_leaves_the_last_report_as_it_was()
    {
        using var run = new ScratchDirectory("report-failed-run");
        using var report = new ScratchDirectory("report-kept");
        Directory.CreateDirectory(report.Path);
        File.WriteAllText(report.File("results.md"), "the last good report\n");
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench",
            [.. OneRun, "--drop-byte-in-round", "1", "--out", run.Path, "--report", report.Path]), limit: TimeSpan.FromMinutes(5));

        Assert.True(outcome.ExitCode == 1, $"exit {outcome.ExitCode}: {outcome.StandardError}");
        Assert.Contains($"{report.Path} left as it was", outcome.StandardError);
        Assert.Equal("the last good report\n", File.ReadAllText(report.File("results.md")));
        Assert.Equal(["results.md"], Directory.EnumerateFileSystemEntries(report.Path).Select(Path.GetFileName));
        Assert.Contains("FAILED (round 1)", File.ReadAllText(run.File("results.md")));
    }

    [Fact]
    public async Task A_report_into_the_runs_own_directory_is_refused()
    {
        using var run = new ScratchDirectory("report-same");
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench",
            [.. OneRun, "--out", run.Path, "--report", run.Path + "/"]), limit: TimeSpan.FromMinutes(2));

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--report", Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(run.Path));
    }
}
