using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using HdrHistogram;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Scenarios;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Client.Typing;
using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Client.Load;

/// <summary>
/// Runs one scenario over N sessions: connect, warm up, measure, close. Typists share a few typing loops, other
/// scenarios type each session on its own thread; the threads exist before measuring starts, so the counters see
/// only the characters' own cost. Each warm session's setup time, from connect to its first echo, is recorded apart.
/// </summary>
internal sealed class LoadRunner(LoadOptions options, PhaseSync sync)
{
    /// <summary>
    /// Sessions whose setup time is left out: the first logins pay for JIT, the first connection's kernel paths and
    /// the daemon's own first session, which say nothing about what a login costs once both ends are running.
    /// </summary>
    public const int ColdSessions = 2;

    /// <summary>
    /// The fewest warm setup times that make a percentile block: below that, p50 and max are a handful of logins and
    /// the tail figures repeat the max, so a run with fewer (interactive and paste have one session) reports none.
    /// </summary>
    public const int MinWarmSetups = 8;

    /// <summary>Each worker thread runs two phases: warm-up, then this one, the measured part.</summary>
    private const int MeasuredPhase = 1;

    /// <summary>
    /// Run the scenario. Each session types its own text, seeded by the run's seed and its index, unless
    /// <paramref name="text"/> is given: then every session types that one (a fixed text for fault-free checks).
    /// </summary>
    public LoadRun Run(TypedText? text = null)
    {
        var scenario = ScenarioFactory.For(options.Scenario, options.CharsPerSecond);
        var sessions = new ClientTransport[options.Sessions];
        var setup = Latency.NewHistogram();
        setup.Tag = "setup"; // beside the round trips in the run's .hlog
        setup.StartTimeStamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        try
        {
            // One login at a time, so each setup time is what one session costs to start, not a queue behind the others.
            for (int i = 0; i < sessions.Length; i++)
            {
                long connecting = Stopwatch.GetTimestamp();
                var sessionText = text ?? TypedText.For(options.Protocol, options.Seed, i);
                sessions[i] = ClientTransports.Connect(options.Strategy, options.Protocol, options.Daemon, sessionText, options.Transport);
                sessions[i].RoundTrip(); // the first echo: the session is being served
                if (i >= ColdSessions)
                {
                    setup.RecordBetween(connecting, Stopwatch.GetTimestamp());
                }
                if (!scenario.IsClosedLoop)
                {
                    sessions[i].StartReceiving();
                }
            }
            setup.EndTimeStamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return Measure(scenario, sessions, setup);
        }
        finally
        {
            foreach (var session in sessions)
            {
                session?.Dispose();
            }
        }
    }

    private LoadRun Measure(IScenario scenario, ClientTransport[] sessions, LongHistogram setup)
    {
        var failures = new ConcurrentQueue<string>();
        long[] phaseChars = [options.WarmupChars, options.Chars];
        // Typists share a few typing loops; every other scenario types each session on a thread of its own. Each
        // worker records lateness into its own histogram, so no two threads share one; only the measured phase records.
        var work = scenario is TypistsScenario typists
            ? TypingLoops(sessions, typists.CharsPerSecond, phaseChars, failures)
            : SessionThreads(scenario, sessions, phaseChars, failures);
        // Workers meet the coordinator at a barrier before and after each phase.
        using var phases = new Barrier(work.Length + 1);
        var lateness = work.Select(_ => Latency.NewHistogram()).ToArray();
        var workers = work.Select((typePhase, w) => new Thread(() =>
        {
            for (int phase = 0; phase < phaseChars.Length; phase++)
            {
                phases.SignalAndWait();
                typePhase(phase, phase == MeasuredPhase ? lateness[w] : null);
                phases.SignalAndWait();
            }
        }) { IsBackground = true, Name = $"typing {w}" }).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        phases.SignalAndWait();
        phases.SignalAndWait();
        sync.Reached(PhaseSync.WarmedUp);

        foreach (var session in sessions)
        {
            session.Window.Recording = true;
        }
        long typedBefore = sessions.Sum(s => s.Window.Typed);
        long checkBefore = sessions.Sum(s => s.Window.CheckTicks);
        var systemBefore = SystemCounters.Capture();
        // Two readings back to back, nothing between: what one reading allocates is what the client's allocated
        // figure cannot tell from zero. The second is the start edge, so the extra reading stays outside the run.
        var noiseReading = ProcessCounters.CaptureSelf(CopyTally.ThisClient);
        var clientBefore = ProcessCounters.CaptureSelf(CopyTally.ThisClient);
        long allocationNoise = clientBefore.AllocatedBytes - noiseReading.AllocatedBytes;
        var startedAt = DateTimeOffset.UtcNow;
        long started = Stopwatch.GetTimestamp();
        phases.SignalAndWait();
        phases.SignalAndWait();
        long finished = Stopwatch.GetTimestamp();
        var clientCost = ProcessCounters.CaptureSelf(CopyTally.ThisClient) - clientBefore;
        var systemCost = SystemCounters.Capture() - systemBefore;
        // What was really typed: a session whose connection broke stopped short of its share.
        long measuredChars = sessions.Sum(s => s.Window.Typed) - typedBefore;
        // Read after the last echo is in: the end edge above may come while the last receive is still being checked.
        long checkTicks = sessions.Sum(s => s.Window.CheckTicks) - checkBefore;
        foreach (var session in sessions)
        {
            session.Window.Recording = false;
        }

        sync.Reached(PhaseSync.Measured);
        foreach (var session in sessions)
        {
            try
            {
                session.Close();
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                failures.Enqueue($"closing: {e.Message}");
            }
        }
        foreach (var worker in workers)
        {
            worker.Join();
        }

        var histogram = Latency.NewHistogram();
        long lost = 0, duplicated = 0, corrupted = 0;
        foreach (var session in sessions)
        {
            histogram.Add(session.Window.Histogram);
            var integrity = session.Window.Integrity;
            lost += integrity.Lost;
            duplicated += integrity.Duplicated;
            corrupted += integrity.Corrupted;
        }
        var elapsedTime = Stopwatch.GetElapsedTime(started, finished);
        double elapsed = elapsedTime.TotalSeconds;
        histogram.StartTimeStamp = startedAt.ToUnixTimeMilliseconds();
        histogram.EndTimeStamp = (startedAt + elapsedTime).ToUnixTimeMilliseconds();
        // Only the typists have an intended time per character: interactive types when the echo is in, paste at once.
        LongHistogram? sendLateness = null;
        if (options.Scenario == Vocabulary.Scenario.Typists)
        {
            sendLateness = Latency.NewHistogram();
            foreach (var worker in lateness)
            {
                sendLateness.Add(worker);
            }
            sendLateness.Tag = "sendLateness"; // beside the round trips in the run's .hlog
            sendLateness.StartTimeStamp = histogram.StartTimeStamp;
            sendLateness.EndTimeStamp = histogram.EndTimeStamp;
        }
        var result = new RunResult
        {
            Scenario = options.Scenario,
            Strategy = options.Strategy,
            ClientStrategy = options.Strategy,
            Subdaemon = options.Subdaemon,
            Protocol = options.Protocol,
            Sessions = options.Sessions,
            Chars = measuredChars,
            ElapsedSeconds = Math.Round(elapsed, 6),
            CharsPerSecond = Math.Round(measuredChars / elapsed, 1),
            RttMicros = LatencySummary.From(histogram),
            SetupMicros = setup.TotalCount >= MinWarmSetups ? LatencySummary.From(setup) : null,
            SendLatenessMicros = sendLateness is null ? null : LatencySummary.From(sendLateness),
            Integrity = new IntegrityCounts(lost, duplicated, corrupted),
            Client = clientCost,
            ClientCheckMicros = Math.Round(checkTicks * 1e6 / Stopwatch.Frequency, 1),
            ClientAllocationNoiseBytes = allocationNoise,
            System = systemCost,
            Settings = Settings(),
            Failures = failures.IsEmpty ? null : [.. failures.Distinct()],
        };
        return new LoadRun(result, histogram, setup, sendLateness, startedAt);
    }

    private Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>
        {
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["warmupChars"] = options.WarmupChars.ToString(CultureInfo.InvariantCulture),
            ["window"] = options.Transport.Window.ToString(CultureInfo.InvariantCulture),
            ["batchSize"] = options.Transport.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["batchDelayMs"] = options.Transport.BatchDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
        };
        if (options.Scenario == Vocabulary.Scenario.Typists)
        {
            settings["charsPerSecondPerSession"] = options.CharsPerSecond.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var name in RuntimeSwitches.Names)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                settings[name] = value;
            }
        }
        return settings;
    }

    /// <summary>
    /// Every session types on its own thread: the closed loop must (it blocks on each echo), and a paste is one
    /// session that sends as fast as it can.
    /// </summary>
    private Action<int, LongHistogram?>[] SessionThreads(IScenario scenario, ClientTransport[] sessions, long[] phaseChars, ConcurrentQueue<string> failures) =>
        sessions.Select((session, i) =>
        {
            var random = new Random(options.Seed + i);
            return (Action<int, LongHistogram?>)((phase, lateness) =>
            {
                try
                {
                    scenario.Type(session, Share(phaseChars[phase], i, sessions.Length), random, lateness);
                }
                catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
                {
                    // A broken connection ends this session's typing, not the run: its unanswered characters are lost.
                    session.Window.MarkOutstandingLost();
                    failures.Enqueue($"session {i}: {e.Message}");
                }
            });
        }).ToArray();

    /// <summary>
    /// Typists on <see cref="TypingLoop.LoopsFor"/> loops, session i on loop i mod loops. Each typist keeps the gaps'
    /// seed it had with a thread of its own (the run's seed plus its index), so a seed still types the same text at
    /// the same intended times; a loop ends its phase when its typists have typed their shares between them. A typist
    /// that failed (<see cref="Typist.Failure"/>, for good) is reported once its loop's last phase is over.
    /// </summary>
    private Action<int, LongHistogram?>[] TypingLoops(ClientTransport[] sessions, double charsPerSecond, long[] phaseChars, ConcurrentQueue<string> failures)
    {
        int count = TypingLoop.LoopsFor(sessions.Length, charsPerSecond);
        var typists = sessions.Select((session, i) => new Typist(i, session, new Random(options.Seed + i))).ToArray();
        return Enumerable.Range(0, count).Select(k =>
        {
            var loop = new TypingLoop(typists.Where(t => t.Index % count == k).ToArray(), charsPerSecond);
            return (Action<int, LongHistogram?>)((phase, lateness) =>
            {
                // A loop's part of a phase is its typists' shares of it, so the loops' parts add up to the phase.
                loop.Type(loop.Typists.Sum(t => Share(phaseChars[phase], t.Index, sessions.Length)), lateness);
                if (phase == phaseChars.Length - 1)
                {
                    foreach (var failure in loop.Typists.Select(t => t.Failure).OfType<string>())
                    {
                        failures.Enqueue(failure);
                    }
                }
            });
        }).ToArray();
    }

    /// <summary>Session <paramref name="index"/>'s part of <paramref name="total"/> characters.</summary>
    private static long Share(long total, int index, int sessions) => total / sessions + (index < total % sessions ? 1 : 0);
}

/// <summary>
/// A finished run: its results.json element, and its full histograms with the measured part's start for the .hlog:
/// round trips, the warm sessions' setup times, and for typists how late each character was handed over.
/// </summary>
internal sealed record LoadRun(RunResult Result, LongHistogram Histogram, LongHistogram Setup, LongHistogram? SendLateness, DateTimeOffset StartedAt);
