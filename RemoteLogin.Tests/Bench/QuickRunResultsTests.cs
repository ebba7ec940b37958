using System.Text.Json;
using RemoteLogin.Client.Load;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Bench;

/// <summary>The bench's --quick run, as a user starts it but held to two strategies, writes results with every field the results format requires.</summary>
public class QuickRunResultsTests
{
    private static readonly string[] LatencyFields = ["mean", "p50", "p90", "p99", "p999", "p9999", "max", "count"];
    private static readonly string[] SideFields = ["voluntaryContextSwitches", "involuntaryContextSwitches", "cpuUserMicros", "cpuSystemMicros", "allocatedBytes", "gcCollections"];

    [Fact]
    public async Task Results_json_of_a_quick_run_has_every_required_field()
    {
        using var scratch = new ScratchDirectory("quick");
        string directory = scratch.Path;
        // Naive and zerocopy, the two ends of the copies and system calls asserted below, under every model and protocol
        // of the quick matrix: half its runs, each waiting for the daemon's one-second counters at both edges. The whole
        // matrix is BenchScheduleTests' to check, from the same plan without the minutes.
        string[] arguments = ["--quick", "--strategies", "naive,zerocopy"];
        var scheduled = (await BenchScheduleTests.DryRunAsync(arguments)).Runs.Select(run => run.Configuration).Order().ToList();
        var outcome = await ChildRun.RunAsync(ChildStart.Sibling("RemoteLogin.Bench", [.. arguments, "--out", directory]), limit: TimeSpan.FromMinutes(15));
        Assert.True(outcome.ExitCode == 0, outcome.StandardError + outcome.StandardOutput);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.json")));
        var root = json.RootElement;
        var machine = root.GetProperty("machine");
        Assert.False(string.IsNullOrEmpty(machine.GetProperty("os").GetString()));
        Assert.True(machine.GetProperty("cpuCount").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(machine.GetProperty("runtime").GetString()));
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("seed").ValueKind);
        AssertEnvironment(root.GetProperty("environment"));
        var floors = root.GetProperty("floors");
        AssertLatency(floors.GetProperty("blocking").GetProperty("rttMicros"));
        AssertLatency(floors.GetProperty("spin").GetProperty("rttMicros"));
        Assert.True(floors.GetProperty("stream").GetProperty("charsPerSecond").GetDouble() > 0);
        // "floor" stays the blocking floor's alias.
        Assert.Equal(floors.GetProperty("blocking").GetProperty("rttMicros").GetProperty("p50").GetDouble(),
            root.GetProperty("floor").GetProperty("rttMicros").GetProperty("p50").GetDouble());

        var runs = root.GetProperty("runs").EnumerateArray().ToList();
        // Every run the plan scheduled, once: raw under 4 models × (interactive, typists) and paste under task; telnet and
        // rlogin interactive and paste under task; the concentrator under 4 models, its daemon in mux; each for both strategies.
        Assert.Equal(16 + 2 + 8 + 8, scheduled.Count);
        Assert.Equal(scheduled, runs.Select(Configuration).Order());
        Assert.Equal(
            new[] { "process", "relay", "task", "thread" },
            runs.Select(r => r.GetProperty("subdaemon").GetString()).Distinct().Order().ToArray());
        foreach (var run in runs)
        {
            string subdaemon = run.GetProperty("subdaemon").GetString()!;
            string protocol = run.GetProperty("protocol").GetString()!;
            string scenario = run.GetProperty("scenario").GetString()!;
            Assert.Contains(protocol, new[] { "raw", "telnet", "rlogin", "mux" });
            Assert.Equal(scenario == "concentrator", protocol == "mux");
            if (scenario == "concentrator")
            {
                // The front-end processor's own price, read from outside over the timed pass, and the delay it ran with.
                Assert.True(run.GetProperty("concentrator").GetProperty("cpuMicros").GetInt64() > 0);
                Assert.True(run.GetProperty("concentrator").GetProperty("contextSwitches").GetInt64() > 0);
                Assert.Equal("0", run.GetProperty("settings").GetProperty("flushDelayMs").GetString());
            }
            else
            {
                Assert.False(run.TryGetProperty("concentrator", out _));
            }
            // By default both ends keep one strategy, and the run says so.
            Assert.Equal(run.GetProperty("strategy").GetString(), run.GetProperty("clientStrategy").GetString());
            if (scenario == "paste" || protocol is "telnet" or "rlogin")
            {
                Assert.Equal("task", subdaemon); // the concentrator's mux runs under every model
            }
            // Setup comes from warm sessions only, and only when there are enough of them for percentiles: the typists.
            var setup = run.GetProperty("setupMicros");
            int warmSessions = run.GetProperty("sessions").GetInt32() - LoadRunner.ColdSessions;
            if (warmSessions >= LoadRunner.MinWarmSetups)
            {
                Assert.Equal(warmSessions, setup.GetProperty("count").GetInt32());
                Assert.True(setup.GetProperty("p50").GetDouble() > 0);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, setup.ValueKind);
            }
            // The open loop records the generator's own lateness, one sample per measured character.
            if (scenario is "typists" or "concentrator")
            {
                Assert.Equal(run.GetProperty("rttMicros").GetProperty("count").GetInt64(), run.GetProperty("sendLatenessMicros").GetProperty("count").GetInt64());
            }
            AssertRounds(run);
            if (subdaemon is "process" or "relay")
            {
                // The children did the echoing (or its second half): their share of the remote side is real work.
                Assert.True(CpuSpent(run.GetProperty("serverSubdaemons")) > 0);
                Assert.True(run.GetProperty("serverSubdaemons").GetProperty("voluntaryContextSwitches").GetInt64() > 0);
            }
            else
            {
                Assert.False(run.TryGetProperty("serverSubdaemons", out var none) && none.ValueKind != JsonValueKind.Null);
            }
            Assert.True(run.GetProperty("sessions").GetInt32() >= 1);
            Assert.True(run.GetProperty("chars").GetInt64() > 0);
            Assert.True(run.GetProperty("elapsedSeconds").GetDouble() > 0);
            Assert.True(run.GetProperty("charsPerSecond").GetDouble() > 0);
            AssertLatency(run.GetProperty("rttMicros"));
            var integrity = run.GetProperty("integrity");
            Assert.Equal(0, integrity.GetProperty("lost").GetInt64());
            Assert.Equal(0, integrity.GetProperty("duplicated").GetInt64());
            Assert.Equal(0, integrity.GetProperty("corrupted").GetInt64());
            foreach (var side in new[] { "client", "server" })
            {
                var counters = run.GetProperty(side);
                foreach (var field in SideFields)
                {
                    Assert.Equal(JsonValueKind.Number, counters.GetProperty(field).ValueKind);
                }
            }
            Assert.True(run.GetProperty("client").GetProperty("voluntaryContextSwitches").GetInt64() > 0);
            AssertSyscallsAndCopies(run);
            AssertTimeSeries(run);
            // The daemon's figures come from its own readings at the timed pass's edges: real work, nothing subtracted.
            Assert.True(CpuSpent(run.GetProperty("server")) > 0);
            Assert.Equal(run.GetProperty("chars").GetInt64(), (long)run.GetProperty("serverMeter").GetProperty("remotelogin.server.bytes.echoed").GetDouble());
            var system = run.GetProperty("system");
            Assert.True(system.GetProperty("contextSwitches").GetInt64() > 0);
            Assert.True(system.GetProperty("interrupts").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Number, system.GetProperty("netRxSoftirqs").ValueKind);
            Assert.True(File.Exists(Path.Combine(directory, run.GetProperty("histogramLog").GetString()!)));
            Assert.True(File.Exists(Path.Combine(directory, run.GetProperty("countedPass").GetProperty("histogramLog").GetString()!)));
            AssertHistogramLogReadsBack(run, directory);
            // The counted pass's log too: every .hlog the bench writes is one other tools read.
            Assert.Equal(Summary(run.GetProperty("countedPass").GetProperty("rttMicros")),
                HdrHistogramJs.DecodeByTag(Path.Combine(directory, run.GetProperty("countedPass").GetProperty("histogramLog").GetString()!))[""].Micros);
        }
        // .ci/run installs linux-perf: the counts must be there, and the table says how they were taken.
        Assert.StartsWith("perf stat -e raw_syscalls:sys_enter", root.GetProperty("settings").GetProperty("syscalls").GetString());
        string markdown = File.ReadAllText(Path.Combine(directory, "results.md"));
        foreach (var header in new[] { "p50/floor", "p50/spin", "chars/s / stream", "CPU µs/char remote", "CPU µs/char concentrator", "p99.99 µs", "alloc B/char remote", "disturbed rounds", "status" })
        {
            Assert.Contains(header, markdown);
        }
        Assert.Contains("clocksource", markdown); // the environment above the table
        Assert.Contains("## Where a paste's time goes", markdown);
        Assert.DoesNotContain("client strategy", markdown); // every client ran its daemon's strategy: no column for it
        Assert.Equal("as the daemon's", root.GetProperty("settings").GetProperty("clientStrategy").GetString());
        Assert.Contains("syscalls/char remote", File.ReadAllText(Path.Combine(directory, "results.md")));
        Assert.Equal(runs.Count + 1, File.ReadAllLines(Path.Combine(directory, "results.csv")).Length);
    }

    private static (string, string, string, string) Configuration(JsonElement run) => (
        run.GetProperty("scenario").GetString()!, run.GetProperty("strategy").GetString()!,
        run.GetProperty("subdaemon").GetString()!, run.GetProperty("protocol").GetString()!);

    /// <summary>
    /// Naive sends and receives once per character on each side, so perf counts at least two system calls per character
    /// there; every strategy
    /// counts its copies, and a raw echo by splice copies nothing into the daemon.
    /// </summary>
    private static void AssertSyscallsAndCopies(JsonElement run)
    {
        long chars = run.GetProperty("chars").GetInt64();
        string strategy = run.GetProperty("strategy").GetString()!;
        string subdaemon = run.GetProperty("subdaemon").GetString()!;
        // What perf counted on the daemon in the counted pass, nothing taken out.
        long daemonCounted = run.GetProperty("server").GetProperty("syscalls").GetInt64();
        foreach (var (side, syscalls) in new[] { ("client", run.GetProperty("client").GetProperty("syscalls").GetInt64()), ("daemon", daemonCounted) })
        {
            Assert.True(syscalls > 0, $"{side} syscalls");
            if (strategy == "naive")
            {
                Assert.True(syscalls >= 2 * chars, $"naive {side}: {syscalls} system calls for {chars} characters");
            }
        }
        var clientCopies = run.GetProperty("client").GetProperty("copied");
        Assert.True(clientCopies.GetProperty("intoUser").GetInt64() >= chars); // every echo is received into the client
        Assert.True(clientCopies.GetProperty("outOfUser").GetInt64() >= chars);
        var serverCopies = run.GetProperty("server").GetProperty("copied");
        string protocol = run.GetProperty("protocol").GetString()!;
        if (strategy == "zerocopy" && subdaemon != "relay" && protocol is "raw" or "mux")
        {
            // Under mux, the terminals' sessions splice too; the mux transport's own copies are not a strategy's count.
            Assert.Equal(0, serverCopies.GetProperty("total").GetInt64());
        }
        else
        {
            Assert.True(serverCopies.GetProperty("total").GetInt64() >= chars);
        }
    }

    /// <summary>The daemon's counters second by second over the measured part: its meter, the runtime's, the sockets'.</summary>
    private static void AssertTimeSeries(JsonElement run)
    {
        var series = run.GetProperty("serverTimeSeries");
        int intervals = series.GetProperty("intervalEnds").GetArrayLength();
        Assert.True(intervals >= 1);
        var increments = series.GetProperty("increments");
        foreach (var counter in new[] { "remotelogin.server.bytes.echoed", "dotnet.gc.heap.total_allocated", "dotnet.thread_pool.work_item.count", "System.Net.Sockets\\bytes-received" })
        {
            Assert.Equal(intervals, increments.GetProperty(counter).GetArrayLength());
        }
        Assert.Equal(run.GetProperty("chars").GetInt64(), (long)increments.GetProperty("remotelogin.server.bytes.echoed").EnumerateArray().Sum(v => v.GetDouble()));
        var threads = series.GetProperty("levels").GetProperty("dotnet.thread_pool.thread.count");
        Assert.Equal(intervals, threads.GetArrayLength());
        Assert.True(threads.EnumerateArray().Any(count => count.GetDouble() >= 1), "a daemon serving sockets has thread-pool threads: a level, not its change");
        Assert.True(run.GetProperty("serverMeter").TryGetProperty("dotnet.gc.collections[gc.heap.generation=gen0]", out _));
    }

    /// <summary>Every round is kept with its own floors and ratios; a quick run has one, and the run's figures are that round's.</summary>
    private static void AssertRounds(JsonElement run)
    {
        Assert.False(run.GetProperty("failed").GetBoolean());
        var round = Assert.Single(run.GetProperty("rounds").EnumerateArray());
        Assert.Equal(1, round.GetProperty("round").GetInt32());
        Assert.Equal(run.GetProperty("rttMicros").GetProperty("p50").GetDouble(), round.GetProperty("rttMicros").GetProperty("p50").GetDouble());
        Assert.False(round.GetProperty("failed").GetBoolean());
        Assert.True(round.GetProperty("position").GetInt32() >= 1);
        var before = round.GetProperty("floors").GetProperty("before");
        Assert.True(before.GetProperty("blockingP50Micros").GetDouble() > 0);
        if (run.GetProperty("scenario").GetString() == "paste")
        {
            Assert.True(before.GetProperty("streamCharsPerSecond").GetDouble() > 0);
            Assert.True(run.GetProperty("charsPerSecondOverStream").GetDouble() > 0);
            Assert.Equal(2, run.GetProperty("charsPerSecondOverStreamRange").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, run.GetProperty("p50OverFloor").ValueKind);
        }
        else
        {
            Assert.True(before.GetProperty("spinP50Micros").GetDouble() > 0);
            foreach (var ratio in new[] { "p50OverFloor", "p50OverSpin" })
            {
                Assert.True(run.GetProperty(ratio).GetDouble() > 0, ratio);
                Assert.Equal(2, run.GetProperty(ratio + "Range").GetArrayLength());
                Assert.Equal(run.GetProperty(ratio).GetDouble(), round.GetProperty(ratio).GetDouble());
            }
        }
        // The counted pass ran the same configuration with perf and the metrics session attached.
        var counted = run.GetProperty("countedPass");
        AssertLatency(counted.GetProperty("rttMicros"));
        var allocation = run.GetProperty("allocatedBytesPerChar");
        foreach (var side in new[] { "client", "server" })
        {
            Assert.True(allocation.GetProperty(side).GetProperty("resolution").GetDouble() > 0, side);
        }
    }

    /// <summary>
    /// Another HdrHistogram implementation (hdr-histogram-js) reads the run's .hlog and finds exactly the percentiles
    /// results.json has: round trips untagged, warm sessions' setup and the generator's lateness under their tags.
    /// </summary>
    private static void AssertHistogramLogReadsBack(JsonElement run, string directory)
    {
        var decoded = HdrHistogramJs.DecodeByTag(Path.Combine(directory, run.GetProperty("histogramLog").GetString()!));
        Assert.Equal(Summary(run.GetProperty("rttMicros")), decoded[""].Micros);
        foreach (var (field, tag) in new[] { ("setupMicros", "setup"), ("sendLatenessMicros", "sendLateness") })
        {
            if (run.TryGetProperty(field, out var block) && block.ValueKind != JsonValueKind.Null)
            {
                Assert.Equal(Summary(block), decoded[tag].Micros);
            }
        }
    }

    private static LatencySummary Summary(JsonElement block) => ResultsJson.Deserialize<LatencySummary>(block.GetRawText());

    /// <summary>The environment header's fields (DESIGN.md), each present; what this VM lacks is named, not left out.</summary>
    private static void AssertEnvironment(JsonElement environment)
    {
        foreach (var field in new[] { "commit", "kernel", "cmdline", "governor", "frequencyMHz", "idleGovernor", "idleStates", "clocksource", "thp",
            "mitigations", "loadAverage", "stealPercent", "otherCpuPercent", "dotnetEnvironment", "placement", "cpuIdle" })
        {
            Assert.True(environment.TryGetProperty(field, out _), field);
        }
        Assert.Equal("default", environment.GetProperty("placement").GetString());
        // The load clients check echoes on the socket engine's thread by default, and say so; the daemon keeps .NET's default.
        var dotnet = environment.GetProperty("dotnetEnvironment");
        Assert.Equal("1", dotnet.GetProperty("client").GetProperty(RuntimeSwitches.InlineSocketCompletions).GetString());
        Assert.False(dotnet.GetProperty("daemon").TryGetProperty(RuntimeSwitches.InlineSocketCompletions, out _));
    }

    private static long CpuSpent(JsonElement side) => side.GetProperty("cpuUserMicros").GetInt64() + side.GetProperty("cpuSystemMicros").GetInt64();

    private static void AssertLatency(JsonElement latency)
    {
        foreach (var field in LatencyFields)
        {
            Assert.True(latency.GetProperty(field).GetDouble() > 0, field);
        }
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("max").GetDouble());
    }
}
