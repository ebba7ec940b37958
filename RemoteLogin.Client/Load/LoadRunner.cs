using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using HdrHistogram;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Scenarios;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Client.Load;

/// <summary>
/// Runs one scenario over N sessions: connect, warm up, measure, close. Every session types on its own thread;
/// the threads exist before measuring starts, so the counters see only the characters' own cost. Each warm session's
/// setup time, from connect to its first echo, is recorded apart.
/// </summary>
public sealed class LoadRunner(LoadOptions options, PhaseSync sync)
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

    /// <summary>Each typing thread runs two phases: warm-up, then this one, the measured part.</summary>
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
        // Typing threads meet the coordinator at a barrier before and after each phase.
        using var phases = new Barrier(sessions.Length + 1);
        var failures = new ConcurrentQueue<string>();
        long[] phaseChars = [options.WarmupChars, options.Chars];
        // Per session, so typing threads never share a histogram; only the measured phase is recorded.
        var lateness = sessions.Select(_ => Latency.NewHistogram()).ToArray();
        var typists = sessions.Select((session, i) => new Thread(() =>
        {
            var random = new Random(options.Seed + i);
            for (int phase = 0; phase < phaseChars.Length; phase++)
            {
                phases.SignalAndWait();
                try
                {
                    scenario.Type(session, Share(phaseChars[phase], i, sessions.Length), random, phase == MeasuredPhase ? lateness[i] : null);
                }
                catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
                {
                    // A broken connection ends this session's typing, not the run: its unanswered characters are lost.
                    session.Window.MarkOutstandingLost();
                    failures.Enqueue($"session {i}: {e.Message}");
                }
                phases.SignalAndWait();
            }
        }) { IsBackground = true, Name = $"typist {i}" }).ToArray();
        foreach (var typist in typists)
        {
            typist.Start();
        }

        phases.SignalAndWait();
        phases.SignalAndWait();
        sync.Reached(PhaseSync.WarmedUp);

        foreach (var session in sessions)
        {
            session.Window.Recording = true;
        }
        long typedBefore = sessions.Sum(s => s.Window.Typed);
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
        foreach (var typist in typists)
        {
            typist.Join();
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
            foreach (var session in lateness)
            {
                sendLateness.Add(session);
            }
            sendLateness.Tag = "sendLateness"; // beside the round trips in the run's .hlog
            sendLateness.StartTimeStamp = histogram.StartTimeStamp;
            sendLateness.EndTimeStamp = histogram.EndTimeStamp;
        }
        var result = new RunResult
        {
            Scenario = options.Scenario,
            Strategy = options.Strategy,
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

    /// <summary>Session <paramref name="index"/>'s part of <paramref name="total"/> characters.</summary>
    private static long Share(long total, int index, int sessions) => total / sessions + (index < total % sessions ? 1 : 0);
}

/// <summary>
/// A finished run: its results.json element, and its full histograms with the measured part's start for the .hlog:
/// round trips, the warm sessions' setup times, and for typists how late each character was handed over.
/// </summary>
public sealed record LoadRun(RunResult Result, LongHistogram Histogram, LongHistogram Setup, LongHistogram? SendLateness, DateTimeOffset StartedAt);
