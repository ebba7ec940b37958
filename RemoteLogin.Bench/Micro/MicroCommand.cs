using System.CommandLine;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Running;

namespace RemoteLogin.Bench.Micro;

/// <summary><c>RemoteLogin.Bench micro [BenchmarkDotNet arguments]</c>: everything after "micro" goes to BenchmarkDotNet as is.</summary>
internal static class MicroCommand
{
    public static Command Create()
    {
        var command = new Command("micro", "BenchmarkDotNet suite; arguments such as --filter '*' --job dry --artifacts DIR pass through")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parsed =>
        {
            // The default configuration already exports GitHub markdown and CSV (and HTML); JSON is added. The
            // diagnosers come with each benchmark class; the job setting the context-switch one needs comes here,
            // before the command line's own job options.
            var config = DefaultConfig.Instance
                .AddExporter(JsonExporter.Full)
                .AddJob(ContextSwitchDiagnoser.KeepThreadPoolThreadsAlive)
                .WithOptions(ConfigOptions.JoinSummary);
            var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run([.. parsed.UnmatchedTokens], config);
            return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
        });
        return command;
    }
}
