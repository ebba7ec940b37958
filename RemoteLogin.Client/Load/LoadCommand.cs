using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;
using RemoteLogin.Cli;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Measurement;
using RemoteLogin.Protocols;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Load;

/// <summary><c>RemoteLogin.Client load</c>: simulated users against a daemon, with every echo checked.</summary>
internal static class LoadCommand
{
    /// <summary>Echoes did not match, a connection broke, or the daemon could not be reached.</summary>
    public const int RunFailed = 1;

    /// <summary>The largest batch a session may ask for: a megabyte of characters.</summary>
    private const long MaxBatch = 1 << 20;

    /// <summary>The largest window: 16 M characters, a pinned ring of that size per session (a long fat path's bandwidth × round trip).</summary>
    private const long MaxWindow = 1 << 24;

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Daemon host (default 127.0.0.1)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = Options.Port("--port", 5513, "Daemon port (default 5513)", minimum: 1);
        var protocol = Options.Vocabulary("--protocol", WireProtocol.Raw, "Wire protocol; telnet and rlogin sessions open as their RFCs say, then type only bytes the protocol carries as themselves", WireProtocols.Terminal);
        var strategy = Options.Vocabulary("--strategy", BufferStrategy.Naive, "Client buffer strategy");
        var scenario = Options.Vocabulary("--scenario", Scenario.Interactive, "What the users do", Vocabulary.Scenarios.Load);
        var sessions = Options.OptionalCount("--sessions", "Concurrent sessions (default: typists 20, others 1)", maximum: 100_000);
        var chars = Options.OptionalCount("--chars", "Characters measured, over all sessions (default: interactive 20000, paste 1000000, typists 5 s of typing)");
        var warmup = Options.OptionalCount("--warmup", "Characters typed and checked before measuring (default: a tenth of --chars)", minimum: 0);
        var rate = Options.Positive("--rate", 20, "Typists: characters per second per session");
        var window = Options.OptionalCount("--window", $"Characters that may await their echo at once (open loop; default: paste {ScenarioDefaults.PasteWindow}, others {ScenarioDefaults.KeystrokeWindow})", maximum: MaxWindow);
        var batchSize = Options.Count("--batch-size", TransportSettings.Default.BatchSize, "Batched: characters per send", maximum: MaxBatch);
        var batchDelay = Options.Positive("--batch-delay", TransportSettings.Default.BatchDelay.TotalMilliseconds, "Batched: milliseconds the oldest character may wait");
        var echoTimeout = Options.Positive("--echo-timeout", TransportSettings.Default.EchoTimeout.TotalSeconds, "Seconds after which a missing echo counts as lost");
        var subdaemon = Options.Vocabulary("--subdaemon", SubdaemonModel.Task, "The daemon's subdaemon model, as a label for the results");
        var json = new Option<FileInfo>("--json") { Description = "Write the run as a results.json runs[] element to this file" };
        var hlog = new Option<FileInfo>("--hlog") { Description = "Write the run's round-trip histogram, its warm sessions' setup times tagged \"setup\" and (typists) its send lateness tagged \"sendLateness\", as an HdrHistogram log to this file" };
        var seed = new Option<int>("--seed") { Description = "Seeds each session's typed text and typists' gaps (default 1)", DefaultValueFactory = _ => LoadOptions.DefaultSeed };
        var syncOption = new Option<bool>("--sync") { Description = "Print 'warmed-up' and 'measured' and wait for a line on stdin at each (used by the bench)" };

        var command = new Command("load", "Simulated users typing against a daemon; every echo is checked and timed")
        {
            host, port, protocol, strategy, scenario, sessions, chars, warmup, rate, window, batchSize, batchDelay, echoTimeout, subdaemon, seed, json, hlog, syncOption,
        };
        command.SetAction((parsed, _) =>
        {
            IPEndPoint daemon;
            try
            {
                var name = parsed.GetValue(host)!;
                var address = IPAddress.TryParse(name, out var literal) ? literal : Dns.GetHostAddresses(name).First();
                daemon = new IPEndPoint(address, parsed.GetValue(port));
            }
            catch (SocketException e)
            {
                Console.Error.WriteLine($"load: --host: cannot resolve '{parsed.GetValue(host)}': {e.Message}");
                return Task.FromResult(CommandLineRunner.BadArguments);
            }
            var chosen = parsed.GetValue(scenario);
            int sessionCount = (int)(parsed.GetValue(sessions) ?? ScenarioDefaults.Sessions(chosen));
            long charCount = parsed.GetValue(chars) ?? ScenarioDefaults.Chars(chosen, parsed.GetValue(strategy), sessionCount, parsed.GetValue(rate));
            var options = new LoadOptions
            {
                Daemon = daemon,
                Protocol = parsed.GetValue(protocol),
                Strategy = parsed.GetValue(strategy),
                Scenario = chosen,
                Sessions = sessionCount,
                Chars = charCount,
                WarmupChars = parsed.GetValue(warmup) ?? ScenarioDefaults.Warmup(charCount),
                CharsPerSecond = parsed.GetValue(rate),
                Subdaemon = parsed.GetValue(subdaemon),
                Seed = parsed.GetValue(seed),
                Transport = new TransportSettings(
                    (int)(parsed.GetValue(window) ?? ScenarioDefaults.Window(chosen)),
                    (int)parsed.GetValue(batchSize),
                    TimeSpan.FromMilliseconds(parsed.GetValue(batchDelay)),
                    TimeSpan.FromSeconds(parsed.GetValue(echoTimeout))),
            };
            return Task.FromResult(Run(options, new PhaseSync(parsed.GetValue(syncOption)), parsed.GetValue(json), parsed.GetValue(hlog)));
        });
        return command;
    }

    private static int Run(LoadOptions options, PhaseSync sync, FileInfo? json, FileInfo? hlog)
    {
        LoadRun run;
        try
        {
            run = new LoadRunner(options, sync).Run();
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"load: cannot reach the daemon at {options.Daemon}: {e.Message}");
            return RunFailed;
        }
        catch (LoginProtocolException e)
        {
            Console.Error.WriteLine($"load: {e.Message}");
            return RunFailed;
        }
        var result = run.Result;
        if (json is not null)
        {
            File.WriteAllText(json.FullName, ResultsJson.Serialize(result));
        }
        if (hlog is not null)
        {
            using var stream = File.Create(hlog.FullName);
            // The log holds what the results report: setup only where enough warm sessions logged in, lateness only in the open loop.
            List<HistogramBase> histograms = [run.Histogram];
            if (result.SetupMicros is not null)
            {
                histograms.Add(run.Setup);
            }
            if (run.SendLateness is { } lateness)
            {
                histograms.Add(lateness);
            }
            HistogramLog.Write(stream, run.StartedAt, histograms);
        }
        var rtt = result.RttMicros;
        var integrity = result.Integrity;
        Console.Out.WriteLine(
            $"{result.Scenario.Name()} {result.Strategy.Name()}: {result.Chars} chars in {result.ElapsedSeconds:0.###} s ({result.CharsPerSecond:0} chars/s), " +
            $"round trip µs p50 {rtt.P50} p99 {rtt.P99} p99.9 {rtt.P999} max {rtt.Max}; " +
            $"lost {integrity.Lost}, duplicated {integrity.Duplicated}, corrupted {integrity.Corrupted}");
        foreach (var failure in result.Failures ?? [])
        {
            Console.Error.WriteLine($"load: connection failed: {failure}");
        }
        if (!integrity.IsIntact)
        {
            Console.Error.WriteLine("load: echoes did not match what was typed");
        }
        return result.Succeeded ? 0 : RunFailed;
    }
}
