using System.CommandLine;
using System.Globalization;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Bench.Reports;
using RemoteLogin.Cli;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;
using Spectre.Console;

namespace RemoteLogin.Bench;

/// <summary>The default command: the comparison matrix, the floor beside it, and the report.</summary>
internal static class ComparisonCommand
{
    public static RootCommand CreateRoot()
    {
        var quick = new Option<bool>("--quick") { Description = "One round of smaller runs: the whole matrix in about seven minutes on 2 cores" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where results go (default results/<timestamp>/)" };
        var report = new Option<DirectoryInfo>("--report")
        {
            Description = "Also write results.md, results.json and results.csv here when the run completes with nothing failed, "
                + "with the command that refreshes them (the repository keeps its report in docs/report); the histogram logs stay in --out",
        };
        var strategies = Options.VocabularyList<BufferStrategy>("--strategies", "Buffer strategies: the daemon's echo, and the client's too unless --client-strategy holds it");
        var clientStrategy = Options.OptionalVocabulary<BufferStrategy>("--client-strategy",
            "Every load client runs this strategy whatever the daemon's echo, so a row measures the daemon's strategy alone (default: each row's, the same on both ends; the table names it)");
        var subdaemons = Options.VocabularyList<SubdaemonModel>("--subdaemons", "Subdaemon models (default: all four, paste under task only)");
        var scenarios = Options.VocabularyList<Scenario>("--scenarios", "Scenarios");
        var protocols = Options.VocabularyList("--protocols", "Wire protocols (default: all three, telnet and rlogin in interactive and paste under task only)", allowed: WireProtocols.Terminal);
        var rounds = Options.Count("--rounds", 3, "Rounds through the matrix, each with its own floor (--quick: 1)");
        var flushDelay = Options.Milliseconds("--flush-delay", BenchPlan.DefaultFlushDelayMs,
            $"Milliseconds the concentrator scenario's concentrator holds a batch for more (its --flush-delay; default {BenchPlan.DefaultFlushDelayMs}); the table names it",
            maximum: 1000);
        var typists = Options.OptionalCount("--typists", "Sessions in the typists scenario (default 50, --quick 10); each types at the same rate, so the run grows with them", maximum: 10_000);
        var inline = new Option<bool>("--inline-completions")
        {
            Description = $"Run daemon and client with {RuntimeSwitches.InlineSocketCompletions}=1 (socket continuations on the epoll thread); the table names it",
        };
        var clientCompletions = Options.Vocabulary("--client-completions", ClientCompletions.Inline,
            $"Where the load clients run socket continuations: inline ({RuntimeSwitches.InlineSocketCompletions}=1 for the clients alone) or on the thread pool; the table names it");
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

        var seed = new Option<int?>("--seed") { Description = "Orders the configurations within each round and seeds the typed text (default: random, printed and written as \"seed\")" };
        var placement = Options.Vocabulary("--placement", CpuPlacement.Default, "Where client and daemon run: unpinned, both on one core, or on different cores (the floors' two threads alike)");
        var cpuIdle = Options.Vocabulary("--cpu-idle", CpuIdle.Default, "poll: hold /dev/cpu_dma_latency at 0 while running (no idle state deeper than polling), where permitted");
        // Testing the bench itself: one echoed byte goes missing in this round only, so the run must fail.
        var daemonHost = new Option<string>("--daemon-host")
        {
            Description = "[USER@]HOST: run the daemon there, over ssh (your keys and ssh configuration, BatchMode); the load runs from the load hosts",
        };
        var loadHosts = new Option<string[]>("--load-hosts")
        {
            Description = $"[USER@]HOST,..: the typists spread over these hosts, each over ssh ('{BenchHosts.Local}' is this one, the default); the first runs the other scenarios and the floors' ping",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        };
        var dataAddress = new Option<string>("--data-address") { Description = "The daemon host's address for the data path, when it is not the one ssh reaches it by" };
        var sshConfig = new Option<FileInfo>("--ssh-config") { Description = "An ssh configuration file instead of ~/.ssh/config (ssh -F)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the runs this command would make, in the order it would make them, and exit" };
        var dropByteInRound = Options.OptionalCount("--drop-byte-in-round", "Drop one echoed byte on its way to the client in this round (a test of the bench)");
        dropByteInRound.Hidden = true;

        var root = new RootCommand("RemoteLogin comparison: every buffer strategy against a real daemon, over loopback or on a lab host, beside the floors.")
        {
            quick, output, report, strategies, clientStrategy, subdaemons, scenarios, protocols, rounds, typists, flushDelay, inline, clientCompletions, environment, seed, placement, cpuIdle,
            daemonHost, loadHosts, dataAddress, sshConfig, dryRun, dropByteInRound,
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
                ClientStrategy = parsed.GetValue(clientStrategy),
                Subdaemons = parsed.GetValue(subdaemons)!,
                Protocols = parsed.GetValue(protocols)!,
                Scenarios = parsed.GetValue(scenarios)!,
                PasteUnderTaskOnly = IsDefault(parsed, subdaemons) && IsDefault(parsed, scenarios),
                FramingUnderTaskOnly = IsDefault(parsed, subdaemons) && IsDefault(parsed, protocols),
                ConcentratorPipelinedOnly = IsDefault(parsed, strategies),
                FlushDelayMs = parsed.GetValue(flushDelay),
                Rounds = isQuick && IsDefault(parsed, rounds) ? 1 : (int)parsed.GetValue(rounds),
                Quick = isQuick,
                TypistSessions = (int?)parsed.GetValue(typists),
                FloorRoundTrips = isQuick ? 2_000 : 10_000,
                StreamFloorBytes = isQuick ? 64L << 20 : 256L << 20,
                RuntimeSwitches = switches,
                ClientCompletions = parsed.GetValue(clientCompletions),
                Seed = parsed.GetValue(seed) ?? Random.Shared.Next(),
                Placement = parsed.GetValue(placement),
                CpuIdle = parsed.GetValue(cpuIdle),
                DropByteInRound = (int?)parsed.GetValue(dropByteInRound),
            };
            if (plan.Placement.WhyImpossible() is { } impossible)
            {
                return CommandLineRunner.Reject(parsed, $"--placement {plan.Placement.Name()}: {impossible}");
            }
            var lab = new LabOptions(
                parsed.GetValue(daemonHost), parsed.GetValue(loadHosts) is { Length: > 0 } named ? named : [BenchHosts.Local],
                null, parsed.GetValue(sshConfig)?.FullName);
            if (lab.Rejection(plan, parsed.GetValue(dataAddress)) is { } rejected)
            {
                return CommandLineRunner.Reject(parsed, rejected);
            }
            lab = lab with { DataAddress = parsed.GetValue(dataAddress) is { } given ? System.Net.IPAddress.Parse(given) : null };
            string directory = parsed.GetValue(output)?.FullName
                ?? Path.Combine("results", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            var reportTo = parsed.GetValue(report);
            if (reportTo is not null && Path.GetFullPath(reportTo.FullName).TrimEnd('/') == Path.GetFullPath(directory).TrimEnd('/'))
            {
                return CommandLineRunner.Reject(parsed, "--report: names the run's own directory (--out); the report goes beside it, without the histogram logs");
            }
            if (parsed.GetValue(dryRun))
            {
                PrintSchedule(plan);
                return 0;
            }
            // The arguments as given, so the report names the command that makes it again.
            var arguments = parsed.Tokens.Where(t => t.Type != System.CommandLine.Parsing.TokenType.Command).Select(t => t.Value).ToList();
            string? noSyscalls = PerfSyscalls.Unavailable();
            if (noSyscalls is not null)
            {
                Console.Error.WriteLine($"bench: system calls will not be counted ('syscalls' stays null): {noSyscalls}");
            }
            plan = plan with { CountSyscalls = noSyscalls is null };
            return Run(plan, lab, directory, reportTo is null ? null : new ReportRequest(reportTo.FullName, arguments));
        });
        return root;
    }

    /// <summary>Where the daemon and the load run (DESIGN "Two hosts"); all on this machine by default.</summary>
    private sealed record LabOptions(string? DaemonHost, string[] LoadHosts, System.Net.IPAddress? DataAddress, string? SshConfig)
    {
        public bool Local => DaemonHost is null && LoadHosts.All(h => h == BenchHosts.Local);

        public string? Rejection(BenchPlan plan, string? dataAddress)
        {
            if (dataAddress is not null && !System.Net.IPAddress.TryParse(dataAddress, out _))
            {
                return $"--data-address: '{dataAddress}' is not an IP address";
            }
            if (dataAddress is not null && DaemonHost is null)
            {
                return "--data-address: names the daemon host's address, and there is no --daemon-host";
            }
            if (DaemonHost is null && !Local)
            {
                return "--load-hosts: a lab load host needs --daemon-host (without it the daemon listens on this machine's loopback)";
            }
            if (LoadHosts.Distinct().Count() != LoadHosts.Length)
            {
                return "--load-hosts: a host is named twice";
            }
            if (!Local && plan.Placement != CpuPlacement.Default)
            {
                return $"--placement {plan.Placement.Name()}: pins CPUs of one machine; a run over lab hosts takes the default";
            }
            if (plan.DropByteInRound is not null && LoadHosts.Any(h => h != BenchHosts.Local))
            {
                return "--drop-byte-in-round: its relay listens on this machine's loopback, which only a local client reaches";
            }
            return null;
        }
    }

    /// <summary>Where <c>--report</c> writes, and the bench's arguments, which the report quotes as the command that refreshes it.</summary>
    private sealed record ReportRequest(string Directory, IReadOnlyList<string> Arguments);

    /// <summary>What <c>--dry-run</c> shows: the run count, then each run named as the progress lines name it.</summary>
    private static void PrintSchedule(BenchPlan plan)
    {
        Console.Out.WriteLine($"{plan.RunCount} runs in {plan.Rounds} round{(plan.Rounds == 1 ? "" : "s")}, seed {plan.Seed}");
        foreach (var daemon in plan.Schedule())
        {
            foreach (var scenario in daemon.Scenarios)
            {
                Console.Out.WriteLine($"round {daemon.Round}: {RunColumns.Name(scenario, daemon.Strategy, plan.ClientFor(daemon.Strategy), daemon.Subdaemon, daemon.Protocol)}");
            }
        }
    }

    private static bool IsDefault(ParseResult parsed, Option option) => parsed.GetResult(option) is null or { Implicit: true };

    private static int Run(BenchPlan plan, LabOptions lab, string directory, ReportRequest? report)
    {
        Directory.CreateDirectory(directory);
        Console.Out.WriteLine($"seed {plan.Seed} (--seed {plan.Seed} repeats this order of configurations and the typed text)");
        BenchHosts hosts;
        HostDescription? daemonMachine = null;
        try
        {
            hosts = BenchHosts.Open(lab.DaemonHost, lab.LoadHosts, lab.SshConfig, lab.DataAddress, plan.CpuIdle, directory, line => Console.Out.WriteLine($"bench: {line}"));
            if (hosts.Daemon.Description is { } described)
            {
                daemonMachine = described;
                if (daemonMachine.SyscallsUnavailable is { } why)
                {
                    Console.Error.WriteLine($"bench: {lab.DaemonHost}: the daemon's system calls will not be counted ('server.syscalls' stays null): {why}");
                }
                plan = plan with { CountDaemonSyscalls = daemonMachine.SyscallsUnavailable is null };
            }
        }
        catch (Exception e) when (e is HostException or InvalidOperationException)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            return 1;
        }
        using var _ = hosts;
        using var idle = CpuIdleHold.Acquire(plan.CpuIdle);
        var probe = EnvironmentProbe.Start(plan.Placement, plan.CpuIdle, idle.Status);
        var others = OtherProcessesCpu.Start(ourFolders: hosts.OurFolders);
        var rounds = new List<RoundRun>();
        var machine = MachineInfo.Current();
        ResultsDocument Document(bool complete, BenchEnvironment environment) => new()
        {
            Complete = complete,
            Seed = plan.Seed,
            Machine = machine,
            Environment = environment,
            DaemonMachine = daemonMachine?.WithSwitches(plan.RuntimeSwitches),
            Floors = rounds.Count == 0 ? null : RoundSummary.Floors(rounds),
            Runs = RoundSummary.Summarize(rounds),
            Settings = new Dictionary<string, string>(plan.RuntimeSwitches)
            {
                ["rounds"] = plan.Rounds.ToString(CultureInfo.InvariantCulture),
                ["quick"] = plan.Quick ? "true" : "false",
                ["syscalls"] = plan.CountSyscalls ? PerfSyscalls.Method : $"not counted: {PerfSyscalls.Unavailable()}",
                ["placement"] = plan.Placement.Name(),
                ["daemonLimits"] = string.Join(' ', plan.DaemonLimits),
                ["clientStrategy"] = plan.ClientStrategy?.Name() ?? "as the daemon's",
                ["clientCompletions"] = plan.ClientCompletions.Name(),
                ["cpuIdle"] = idle.Status,
                ["daemonHost"] = lab.DaemonHost ?? BenchHosts.Local,
                ["loadHosts"] = string.Join(",", lab.LoadHosts),
                ["daemonSyscalls"] = hosts.Daemon.IsLocal ? "as syscalls"
                    : plan.CountDaemonSyscalls ? "counted on the daemon's host" : $"not counted: {daemonMachine?.SyscallsUnavailable}",
                ["build"] = hosts.Build is { } build ? $"publish {build} on every host" : "this checkout's build",
            },
        };
        var runner = new MatrixRunner(plan, directory, hosts);
        // A program on a lab host gets its login's environment there and the bench's switches, never this shell's.
        IEnumerable<KeyValuePair<string, string?>> EnvironmentOf(HostDescription? lab, string program, IReadOnlyDictionary<string, string> switches) => lab is null
            ? SiblingProgram.StartInfo(program, [], switches).Environment
            : lab.WithSwitches(switches).Environment.DotnetEnvironment.Daemon.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value));
        var clientEnvironment = EnvironmentOf(hosts.Loads[0].Description, "RemoteLogin.Client", plan.ClientSwitches);
        var daemonEnvironment = EnvironmentOf(hosts.Daemon.Description, "RemoteLogin.Server", plan.RuntimeSwitches);
        // What the documents written while the bench runs say of the machine: the start's figures, no end yet (the last
        // document has them).
        var running = probe.SoFar(clientEnvironment, daemonEnvironment);
        string? error = null;
        try
        {
            WithProgress(plan, runner, run =>
            {
                rounds.Add(run);
                // Written as the run goes: a daemon that dies mid-matrix leaves everything measured before it.
                ReportWriter.WriteAll(directory, Document(complete: false, running));
            });
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception or HostException
            or System.Text.Json.JsonException or Microsoft.Diagnostics.NETCore.Client.DiagnosticsClientException)
        {
            error = e.Message;
        }

        if (hosts.Daemon.Agent is { } daemonAgent && error is null)
        {
            try
            {
                daemonMachine = daemonAgent.Describe(); // the end readings there: load and steal over the run
            }
            catch (HostException e)
            {
                error = $"the daemon's host could not be described at the end (the start's description is kept): {e.Message}";
            }
        }
        var document = Document(complete: error is null, probe.Finish(clientEnvironment, daemonEnvironment, others.Stop()));
        ReportWriter.WriteAll(directory, document);
        if (document.Runs.Count > 0)
        {
            ConsoleReport.Show(document, directory);
        }
        if (error is not null)
        {
            Console.Error.WriteLine($"bench: {error}");
            Console.Error.WriteLine($"bench: stopped; what was measured before is in {directory}"
                + (report is null ? "" : $", and {report.Directory} is left as it was"));
            return 1;
        }
        var failed = document.Runs.Where(r => r.Failed).ToList();
        foreach (var run in failed)
        {
            Console.Error.WriteLine($"bench: FAILED {Name(run)}: " + string.Join("; ", run.Rounds!.Where(r => r.Failed).Select(r =>
                $"round {r.Round} lost {r.Integrity.Lost}, duplicated {r.Integrity.Duplicated}, corrupted {r.Integrity.Corrupted}")));
        }
        if (report is not null)
        {
            // A report the repository keeps is a run that held: one that failed leaves the last good one in place.
            if (failed.Count > 0)
            {
                Console.Error.WriteLine($"bench: {report.Directory} left as it was: a run failed, so this is no report (its results are in {directory})");
            }
            else
            {
                var origin = ReportOrigin.Of(report.Arguments, directory, DateTimeOffset.UtcNow);
                ReportWriter.WriteAll(report.Directory, document with { Report = origin });
                Console.Out.WriteLine($"bench: report in {report.Directory}; `{origin.Command}` refreshes it");
            }
        }
        return failed.Count == 0 ? 0 : 1;
    }

    private static void WithProgress(BenchPlan plan, MatrixRunner runner, Action<RoundRun> finished)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            int done = 0;
            runner.Run(_ => { }, run =>
            {
                finished(run);
                Console.WriteLine($"[{++done}/{plan.RunCount}] {Describe(run)}");
            });
            return;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: plan.RunCount);
                runner.Run(
                    step => task.Description = Markup.Escape(step),
                    run =>
                    {
                        finished(run);
                        task.Increment(1);
                        AnsiConsole.MarkupLine(Markup.Escape(Describe(run)));
                    });
            });
    }

    private static string Name(RunResult r) => RunColumns.Name(r);

    private static string Describe(RoundRun run)
    {
        var r = run.Result;
        var floors = run.Floors;
        string figure = run.IsRoundTrip
            ? $"p50 {r.RttMicros.P50} µs ({run.P50OverFloor:0.00}× blocking {floors.Blocking} µs" +
              (run.P50OverSpin is { } spin ? $", {spin:0.00}× spin {floors.Spin} µs)" : ")")
            : $"{r.CharsPerSecond:0} chars/s ({run.CharsPerSecondOverStream:0.000}× stream {floors.Stream:0} chars/s)";
        var integrity = run.Integrity;
        return $"round {run.Round}: {Name(r)}: {figure}" +
            (floors.Disturbed ? ", DISTURBED (floors before and after differ by more than 2×)" : "") +
            (integrity.IsIntact ? "" : $", INTEGRITY lost {integrity.Lost} dup {integrity.Duplicated} bad {integrity.Corrupted}") +
            (r.Failures is { Length: > 0 } failures ? $", FAILED {string.Join("; ", failures)}" : "");
    }
}
