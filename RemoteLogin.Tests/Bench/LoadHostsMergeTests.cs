using RemoteLogin.Bench.Matrix;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>Several load hosts' parts become one run: every sample in the merged histogram, the counts summed, each part kept.</summary>
public class LoadHostsMergeTests
{
    [Fact]
    public void The_merged_percentiles_are_those_of_all_samples_together_not_an_average_of_the_hosts()
    {
        using var scratch = new ScratchDirectory("merge");
        Directory.CreateDirectory(scratch.Path);
        // Host a answers fast with a slow tail, host b slowly: no average of their percentiles gives the true p50 or p99.
        long[] a = [.. Enumerable.Range(0, 900).Select(i => 20_000L + i), .. Enumerable.Range(0, 100).Select(i => 5_000_000L + i)];
        long[] b = [.. Enumerable.Range(0, 500).Select(i => 80_000L + 10 * i)];
        var together = Latency.NewHistogram();
        foreach (var value in a.Concat(b))
        {
            together.RecordValue(value);
        }

        var merged = LoadHostsMerge.Merge(
            [Part("local", a, scratch.File("a.hlog"), sessions: 6), Part("lab2", b, scratch.File("b.hlog"), sessions: 4)],
            scratch.File("merged.hlog"));

        Assert.Equal(LatencySummary.From(together), merged.RttMicros);
        Assert.Equal(1500, merged.Chars);
        Assert.Equal(10, merged.Sessions);
        Assert.Equal(new IntegrityCounts(1, 0, 2), merged.Integrity);
        Assert.Equal(["local", "lab2"], merged.Hosts!.Select(h => h.Host));
        Assert.Equal([1000L, 500L], merged.Hosts!.Select(h => h.RttMicros.Count));
        // The merged log reads back as the merged figures: the run's .hlog is the table's.
        using var log = File.OpenRead(scratch.File("merged.hlog"));
        Assert.Equal(merged.RttMicros, LatencySummary.From(HistogramLogReader.Read(log).Single(h => h.Tag is null)));
    }

    [Fact]
    public void A_part_without_round_trips_is_refused_rather_than_stood_in_for()
    {
        using var scratch = new ScratchDirectory("merge-empty");
        Directory.CreateDirectory(scratch.Path);
        var setupOnly = Latency.NewHistogram();
        setupOnly.Tag = "setup";
        setupOnly.RecordValue(1_000_000);
        using (var file = File.Create(scratch.File("setup.hlog")))
        {
            HistogramLog.Write(file, DateTimeOffset.UtcNow, [setupOnly]);
        }

        var error = Assert.Throws<InvalidOperationException>(() => LoadHostsMerge.Merge(
            [new LoadHostsMerge.Part("lab2", Result(1, 0), scratch.File("setup.hlog"), null)], scratch.File("merged.hlog")));
        Assert.Contains("no round-trip histogram", error.Message);
    }

    private static LoadHostsMerge.Part Part(string host, long[] nanoseconds, string path, int sessions)
    {
        var histogram = Latency.NewHistogram();
        foreach (var value in nanoseconds)
        {
            histogram.RecordValue(value);
        }
        using (var file = File.Create(path))
        {
            HistogramLog.Write(file, DateTimeOffset.UtcNow, [histogram]);
        }
        return new LoadHostsMerge.Part(host, Result(sessions, nanoseconds.Length) with
        {
            RttMicros = LatencySummary.From(histogram),
            Integrity = host == "local" ? new IntegrityCounts(1, 0, 0) : new IntegrityCounts(0, 0, 2),
        }, path, null);
    }

    private static RunResult Result(int sessions, long chars) => new()
    {
        Scenario = Scenario.Typists,
        Strategy = BufferStrategy.Naive,
        Subdaemon = SubdaemonModel.Thread,
        Protocol = WireProtocol.Raw,
        Sessions = sessions,
        Chars = chars,
        ElapsedSeconds = 1,
        CharsPerSecond = chars,
        RttMicros = LatencySummary.From(Latency.NewHistogram()),
        Integrity = new IntegrityCounts(0, 0, 0),
        Client = new ProcessCounters(1, 1, 1, 1, 0, 0),
        System = new SystemCounters(0, 0, 0),
    };
}
