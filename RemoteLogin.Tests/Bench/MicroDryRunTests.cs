using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Running;
using RemoteLogin.Bench.Micro;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// <c>RemoteLogin.Bench micro --job dry</c> as CI runs it: every benchmark case runs once, out of process, and lands
/// in the CSV, JSON and GitHub markdown reports with the context-switch columns.
/// </summary>
public class MicroDryRunTests
{
    private static readonly string[] ContextSwitchColumns = ["Voluntary ctx sw/op", "Involuntary ctx sw/op"];
    private static readonly string[] ContextSwitchMetrics = ["VoluntaryContextSwitchesPerOperation", "InvoluntaryContextSwitchesPerOperation"];
    private static readonly string[] DiagnoserMetrics = ["Allocated Memory", "CompletedWorkItemCount", "LockContentionCount"];

    [Fact]
    public async Task A_dry_run_reports_every_case_with_context_switches_per_operation()
    {
        string repository = Repository.Root;
        string artifacts = Path.Combine(Path.GetTempPath(), "remotelogin-micro-" + Guid.NewGuid().ToString("N"));
        try
        {
            // BenchmarkDotNet refuses to run benchmarks from a Debug build, which is what dotnet test builds; users run
            // the suite from a Release build (README), so the test does too.
            var build = await ChildRun.RunAsync(DotnetBuildRelease(repository), limit: TimeSpan.FromMinutes(5));
            Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);

            var micro = ChildStart.Sibling(
                "RemoteLogin.Bench", ["micro", "--job", "dry", "--filter", "*", "--artifacts", artifacts],
                directory: Path.Combine(repository, "RemoteLogin.Bench", "bin", "Release", "net10.0"))
                with { WorkingDirectory = repository }; // where BenchmarkDotNet looks for the benchmark project, to build it
            var run = await ChildRun.RunAsync(micro, limit: TimeSpan.FromMinutes(10));
            Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);

            var cases = ExpectedCases();
            string results = Path.Combine(artifacts, "results");
            AssertJson(Directory.GetFiles(results, "*-report-full.json").Single(), cases);
            var csv = Csv(Directory.GetFiles(results, "*-report.csv").Single());
            AssertEveryCaseOnce(csv, cases, "CSV");
            foreach (var row in csv)
            {
                foreach (var column in ContextSwitchColumns)
                {
                    Assert.True(double.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double perOperation) && perOperation >= 0, $"CSV {column}: '{row[column]}'");
                }
                // A blocking echo of one byte puts both ends to sleep in recv: a diagnoser that read nothing would say 0.
                if (row["Type"] == nameof(EchoLoopBenchmarks) && row["Model"] == "Thread")
                {
                    Assert.True(double.Parse(row["Voluntary ctx sw/op"], CultureInfo.InvariantCulture) >= 1, $"{row["Method"]} {row["Strategy"]}: '{row["Voluntary ctx sw/op"]}' voluntary switches");
                }
            }
            string markdown = File.ReadAllText(Directory.GetFiles(results, "*-report-github.md").Single());
            AssertEveryCaseOnce(MarkdownTable(markdown), cases, "markdown");
            Assert.Contains($"{RuntimeSwitches.ThreadPoolThreadsToKeepAlive}=-1", markdown); // the job line names the setting
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }

    private static void AssertJson(string path, IReadOnlyList<BenchmarkCase> cases)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var benchmarks = json.RootElement.GetProperty("Benchmarks").EnumerateArray().ToList();
        Assert.Equal(
            cases.Select(FullNameProvider.GetBenchmarkName).Order(StringComparer.Ordinal),
            benchmarks.Select(b => b.GetProperty("FullName").GetString()!).Order(StringComparer.Ordinal));
        foreach (var benchmark in benchmarks)
        {
            var metrics = benchmark.GetProperty("Metrics").EnumerateArray()
                .ToDictionary(m => m.GetProperty("Descriptor").GetProperty("Id").GetString()!, m => m.GetProperty("Value"));
            foreach (var id in ContextSwitchMetrics.Concat(DiagnoserMetrics))
            {
                Assert.True(metrics.TryGetValue(id, out var value), $"{benchmark.GetProperty("FullName")} has no {id}");
                Assert.True(value.ValueKind == JsonValueKind.Number && value.GetDouble() >= 0, $"{benchmark.GetProperty("FullName")} {id}: {value}");
            }
        }
    }

    /// <summary>Each case is one row: its class, its method as shown, and its parameters' values in their columns.</summary>
    private static void AssertEveryCaseOnce(IReadOnlyList<Dictionary<string, string>> rows, IReadOnlyList<BenchmarkCase> cases, string report)
    {
        Assert.Equal(cases.Count, rows.Count);
        foreach (var column in ContextSwitchColumns)
        {
            Assert.True(rows.All(row => row.ContainsKey(column)), $"{report} has no {column} column");
        }
        foreach (var benchmark in cases)
        {
            int matching = rows.Count(row =>
                row["Type"] == benchmark.Descriptor.Type.Name
                && row["Method"] == benchmark.Descriptor.WorkloadMethodDisplayInfo
                && benchmark.Parameters.Items.All(parameter => row[parameter.Name] == parameter.ToDisplayText()));
            Assert.True(matching == 1, $"{report}: {matching} rows for {benchmark.DisplayInfo}");
        }
    }

    /// <summary>Every case the suite defines, as BenchmarkDotNet enumerates them from the benchmark classes.</summary>
    private static IReadOnlyList<BenchmarkCase> ExpectedCases() =>
        typeof(MicroCommand).Assembly.GetTypes()
            .Where(type => type.GetMethods().Any(method => method.GetCustomAttribute<BenchmarkAttribute>() is not null))
            .SelectMany(type => BenchmarkConverter.TypeToBenchmarks(type).BenchmarksCases)
            .ToList();

    /// <remarks>No build servers left behind by a test: the same switches BenchmarkDotNet gives its own build.</remarks>
    private static ChildStart DotnetBuildRelease(string repository) =>
        ChildStart.Stock("dotnet", "build", "-c", "Release", "RemoteLogin.Bench", "--nodeReuse:false", "-p:UseSharedCompilation=false")
            with { WorkingDirectory = repository };

    /// <summary>BenchmarkDotNet's CSV: comma-separated, fields with commas quoted.</summary>
    private static List<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(path).Where(line => line.Length > 0).Select(CsvFields).ToList();
        return lines.Skip(1).Select(fields => Row(lines[0], fields)).ToList();
    }

    private static List<string> CsvFields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return fields;
    }

    /// <summary>
    /// The results table of a GitHub markdown report: the lines that start with '|', less the alignment line; cells
    /// as shown, without the bold that marks every other group of rows and with HTML entities (&amp;#39;) decoded.
    /// </summary>
    private static List<Dictionary<string, string>> MarkdownTable(string markdown)
    {
        var lines = markdown.Split('\n')
            .Where(line => line.StartsWith('|') && !line.StartsWith("|--", StringComparison.Ordinal))
            .Select(line => line.Trim().Trim('|').Split('|').Select(cell => WebUtility.HtmlDecode(cell.Trim().Replace("**", "", StringComparison.Ordinal))).ToList())
            .ToList();
        return lines.Skip(1).Select(cells => Row(lines[0], cells)).ToList();
    }

    private static Dictionary<string, string> Row(List<string> header, List<string> cells)
    {
        Assert.Equal(header.Count, cells.Count);
        return header.Zip(cells).ToDictionary(pair => pair.First, pair => pair.Second);
    }
}
