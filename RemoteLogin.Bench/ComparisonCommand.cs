using System.CommandLine;
using System.Globalization;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Cli;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;
using Spectre.Console;

namespace RemoteLogin.Bench;

/// <summary>The default command: the comparison matrix, the floor beside it, and the report.</summary>
public static class ComparisonCommand
{
    public static RootCommand CreateRoot()
    {
        var quick = new Option<bool>("--quick") { Description = "One round of smaller runs: the whole matrix in about five minutes on 2 cores" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where results go (default results/<timestamp>/)" };
        var strategies = Options.VocabularyList<BufferStrategy>("--strategies", "Buffer strategies, the same on both ends");
        var subdaemons = Options.VocabularyList<SubdaemonModel>("--subdaemons", "Subdaemon models (default: all four, paste under task only)");
        var scenarios = Options.VocabularyList<Scenario>("--scenarios", "Scenarios");
        var protocols = Options.VocabularyList<WireProtocol>("--protocols", "Wire protocols (default: all three, telnet and rlogin in interactive and paste under task only)");
        var rounds = Options.Count("--rounds", 3, "Rounds through the matrix, each with its own floor (--quick: 1)");
        var typists = Options.OptionalCount("--typists", "Sessions in the typists scenario (default 50, --quick 10); each types at the same rate, so the run grows with them", maximum: 1000);
        var inline = new Option<bool>("--inline-completions")
        {
            Description = $"Run daemon and client with {RuntimeSwitches.InlineSocketCompletions}=1 (socket continuations on the epoll thread); the table names it",
        };
        var environment = new Option<string[]>("--env")
        {
            Description = "NAME=VALUE in the environment of the daemon and the client, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 (repeatable; the table names each)",
        };
        environment.Validators.Add(result =>
        {
            foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (pair.IndexOf('=') <= 0)
                {
                    result.AddError($"--env: '{pair}' is not NAME=VALUE");
                }
            }
        });

        var root = new RootCommand("RemoteLogin comparison: every buffer strategy against a real daemon over loopback, beside the floor.")
        {
            quick, output, strategies, subdaemons, scenarios, protocols, rounds, typists, inline, environment,
        };
        root.SetAction(parsed =>
        {
            bool isQuick = parsed.GetValue(quick);
            if (!isQuick && parsed.GetValue(rounds) < 3)
            {
                return CommandLineRunner.Reject(parsed, "--rounds: the default run takes at least 3 (a median over rounds); --quick may take fewer");
            }
            var switches = new Dictionary<string, string>();
            foreach (var pair in parsed.GetValue(environment) ?? [])
            {
                var (name, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
                switches[name] = value; // the last one given wins, as in a shell
            }
            if (parsed.GetValue(inline))
            {
                switches[RuntimeSwitches.InlineSocketCompletions] = "1";
            }
            var plan = new BenchPlan
            {
                Strategies = parsed.GetValue(strategies)!,
                Subdaemons = parsed.GetValue(subdaemons)!,
                Protocols = parsed.GetValue(protocols)!,
                Scenarios = parsed.GetValue(scenarios)!,
                PasteUnderTaskOnly = IsDefault(parsed, subdaemons) && IsDefault(parsed, scenarios),
                FramingUnderTaskOnly = IsDefault(parsed, subdaemons) && IsDefault(parsed, protocols),
                Rounds = isQuick && IsDefault(parsed, rounds) ? 1 : (int)parsed.GetValue(rounds),
                Quick = isQuick,
                TypistSessions = (int?)parsed.GetValue(typists),
                FloorRoundTrips = isQuick ? 2_000 : 10_000,
                RuntimeSwitches = switches,
            };
            string? noSyscalls = PerfSyscalls.Unavailable();
            if (noSyscalls is not null)
            {
                Console.Error.WriteLine($"bench: system calls will not be counted ('syscalls' stays null): {noSyscalls}");
            }
            plan = plan with { CountSyscalls = noSyscalls is null };
            string directory = parsed.GetValue(output)?.FullName
                ?? Path.Combine("results", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            return Run(plan, directory);
        });
        return root;
    }

    private static bool IsDefault(ParseResult parsed, Option option) => parsed.GetResult(option) is null or { Implicit: true };

    private static int Run(BenchPlan plan, string directory)
    {
        Directory.CreateDirectory(directory);
        var runner = new MatrixRunner(plan, directory);
        List<RoundRun> rounds;
        try
        {
            rounds = WithProgress(plan, runner);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception
            or Microsoft.Diagnostics.NETCore.Client.DiagnosticsClientException)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            return 1;
        }

        var document = new ResultsDocument(
            MachineInfo.Current(),
            RoundSummary.Floor(rounds),
            RoundSummary.Summarize(rounds),
            new Dictionary<string, string>(plan.RuntimeSwitches)
            {
                ["rounds"] = plan.Rounds.ToString(CultureInfo.InvariantCulture),
                ["quick"] = plan.Quick ? "true" : "false",
                ["syscalls"] = plan.CountSyscalls ? PerfSyscalls.Method : $"not counted: {PerfSyscalls.Unavailable()}",
            });
        ReportWriter.WriteAll(directory, document);
        ConsoleReport.Show(document, directory);
        return document.Runs.All(r => r.Succeeded) ? 0 : 1;
    }

    private static List<RoundRun> WithProgress(BenchPlan plan, MatrixRunner runner)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            int done = 0;
            return runner.Run(
                _ => { },
                run => Console.WriteLine($"[{++done}/{plan.RunCount}] {Describe(run)}"));
        }
        List<RoundRun> runs = [];
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: plan.RunCount);
                runs = runner.Run(
                    step => task.Description = Markup.Escape(step),
                    run =>
                    {
                        task.Increment(1);
                        AnsiConsole.MarkupLine(Markup.Escape(Describe(run)));
                    });
            });
        return runs;
    }

    private static string Describe(RoundRun run)
    {
        var r = run.Result;
        return $"round {run.Round}: {r.Scenario.Name()} {r.Strategy.Name()} {r.Subdaemon.Name()} {r.Protocol.Name()}: " +
            $"p50 {r.RttMicros.P50} µs ({run.P50OverFloor:0.00}× floor {run.Floor.P50} µs), {r.CharsPerSecond:0} chars/s" +
            (r.Integrity.IsIntact ? "" : $", INTEGRITY lost {r.Integrity.Lost} dup {r.Integrity.Duplicated} bad {r.Integrity.Corrupted}") +
            (r.Failures is { Length: > 0 } failures ? $", FAILED {string.Join("; ", failures)}" : "");
    }
}
