using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Native;
using RemoteLogin.Processes;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// --placement on real processes: the daemon, started as the bench starts it, has every thread on the CPU its side
/// was given, and keeps its own pid (what perf attaches to); the floor's threads pin one at a time.
/// </summary>
public class CpuPlacementTests
{
    private static readonly IReadOnlyList<int> Allowed = CpuList.Allowed("/proc/self/status")!;

    [Fact]
    public async Task Same_puts_every_thread_of_both_sides_on_the_first_cpu()
    {
        Assert.Null(CpuPlacement.Same.WhyImpossible());
        foreach (var side in new[] { PlacementSide.Daemon, PlacementSide.Client })
        {
            await AssertEveryThreadOn(CpuPlacement.Same, side, Allowed[0]);
        }
    }

    [Fact]
    public async Task Split_puts_the_daemon_side_on_one_cpu_and_the_client_side_on_another()
    {
        if (Allowed.Count < 2)
        {
            Assert.NotNull(CpuPlacement.Split.WhyImpossible()); // a one-CPU machine cannot split, and says so
            return;
        }
        await AssertEveryThreadOn(CpuPlacement.Split, PlacementSide.Daemon, Allowed[0]);
        await AssertEveryThreadOn(CpuPlacement.Split, PlacementSide.Client, Allowed[1]);
        Assert.Equal(Allowed[0], CpuPlacement.Split.CpuFor(PlacementSide.FloorEcho));
        Assert.Equal(Allowed[1], CpuPlacement.Split.CpuFor(PlacementSide.FloorPing));
    }

    [Fact]
    public void Split_on_one_cpu_is_an_error_that_names_the_placement()
    {
        string? why = CpuPlacement.Split.WhyImpossible([0]);
        Assert.NotNull(why);
        Assert.Contains("--placement split needs 2 CPUs", why);
        Assert.Null(CpuPlacement.Same.WhyImpossible([0]));
    }

    [Fact]
    public void Placement_and_idle_state_are_spelled_as_on_the_command_line()
    {
        Assert.Equal(["default", "same", "split"], VocabularyNames.All<CpuPlacement>());
        Assert.Equal(["default", "poll"], VocabularyNames.All<CpuIdle>());
        Assert.True(VocabularyNames.TryParse<CpuPlacement>("split", out var placement));
        Assert.Equal(CpuPlacement.Split, placement);
        Assert.Equal("\"same\"", RemoteLogin.Results.ResultsJson.Serialize(CpuPlacement.Same));
    }

    [Fact]
    public void Default_leaves_the_start_info_as_it_is()
    {
        var start = ChildStart.Sibling("RemoteLogin.Server", ["--listen", "127.0.0.1:0"]);
        Assert.Same(start, CpuPlacement.Default.Apply(start, PlacementSide.Daemon));
        Assert.Null(CpuPlacement.Default.CpuFor(PlacementSide.FloorPing));
    }

    [Fact]
    public void A_pinned_thread_runs_on_its_cpu_and_the_others_keep_theirs()
    {
        int cpu = Allowed[^1];
        IReadOnlyList<int>? pinned = null, procSays = null;
        var thread = new Thread(() =>
        {
            ThreadAffinity.PinCurrentThread(cpu);
            pinned = ThreadAffinity.CurrentThreadCpus();
            procSays = CpuList.Allowed("/proc/thread-self/status");
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the pinning thread never finished");
        Assert.Equal([cpu], pinned);
        Assert.Equal([cpu], procSays);
        Assert.Equal(Allowed, CpuList.Allowed("/proc/self/status")); // the main thread is not pinned with it
        Assert.Equal(Allowed, ThreadAffinity.CurrentThreadCpus());
    }

    /// <summary>Starts the daemon under the placement, waits for it to listen (its runtime threads are up by then), and reads every thread's affinity.</summary>
    private static async Task AssertEveryThreadOn(CpuPlacement placement, PlacementSide side, int cpu)
    {
        using var daemon = ChildProcess.Start(placement.Apply(ChildStart.Sibling("RemoteLogin.Server", ["--listen", "127.0.0.1:0"]), side));
        Assert.StartsWith("listening on ", await daemon.ReadLineAsync(TimeSpan.FromSeconds(60)));
        // taskset exec'd the daemon: the pid the bench holds is the daemon's own.
        string command = File.ReadAllText($"/proc/{daemon.Id}/cmdline").Split('\0')[0];
        Assert.DoesNotContain("taskset", command);

        var threads = Directory.GetDirectories($"/proc/{daemon.Id}/task");
        Assert.True(threads.Length > 1, $"the daemon has {threads.Length} thread: nothing to show about every thread");
        foreach (var thread in threads)
        {
            var allowed = CpuList.Allowed(Path.Combine(thread, "status"));
            Assert.True(allowed is null || allowed.SequenceEqual([cpu]),
                $"{placement.Name()} {side}: thread {Path.GetFileName(thread)} may run on {string.Join(",", allowed ?? [])}, not only {cpu}");
        }
    }
}
