using System.Text.Json;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// An independent reader and writer of .hlog files: hdr-histogram-js 3.0.1 (pinned by Interop/hdr-js/package-lock.json)
/// decodes ours with its own HistogramLogReader in a node process, and writes
/// logs with its own HistogramLogWriter for our reader. Its numbers are HdrHistogram's conventions (see
/// <see cref="LatencySummary"/>), and its microseconds are rounded as <see cref="LatencySummary.Micros"/> rounds,
/// so a histogram written faithfully decodes to a summary equal to <see cref="LatencySummary.From"/> of it.
/// </summary>
internal static class HdrHistogramJs
{
    public static string Folder { get; } = Path.Combine(Repository.Root, "RemoteLogin.Tests", "Interop", "hdr-js");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What the library read from one line of the log, in its order.</summary>
    /// <param name="Tag">The line's Tag=, or "" for an untagged line (the round trips; setup times are tagged "setup").</param>
    /// <param name="Micros">Mean, percentiles, max and count as the library reports them, in rounded microseconds.</param>
    /// <param name="Nanos">The same, unrounded nanoseconds.</param>
    public sealed record DecodedHistogram(
        string Tag, double StartTimeStampMsec, double EndTimeStampMsec, long TotalCount,
        long LowestDiscernibleValue, long HighestTrackableValue, int NumberOfSignificantValueDigits,
        LatencySummary Micros, DecodedNanos Nanos);

    public sealed record DecodedNanos(double Mean, long P50, long P90, long P99, long P999, long P9999, long Max);

    /// <summary>Every histogram of the log, in file order. Fails, naming what is missing, when node or the npm packages are not installed.</summary>
    public static IReadOnlyList<DecodedHistogram> Decode(string hlogPath)
    {
        string stdout = RunNode("decode-hlog.js", Path.GetFullPath(hlogPath));
        var lines = JsonSerializer.Deserialize<Line[]>(stdout, Json)!;
        return [.. lines.Select(line => line.ToDecoded())];
    }

    /// <summary>What the library is to record and write, one histogram per line (see encode-hlog.js).</summary>
    public sealed record LogToEncode(long StartTimeMsec, IReadOnlyList<HistogramToEncode> Histograms);

    /// <param name="Tag">"" for an untagged line.</param>
    /// <param name="Values">Each a value and its count.</param>
    public sealed record HistogramToEncode(
        string Tag, long StartTimeStampMsec, long EndTimeStampMsec,
        long LowestDiscernibleValue, long HighestTrackableValue, int NumberOfSignificantValueDigits, IReadOnlyList<long[]> Values);

    /// <summary>The text of a log that the library's own encoder and HistogramLogWriter wrote: a file that is not ours.</summary>
    public static string Encode(LogToEncode log, string scratchDirectory)
    {
        string spec = Path.Combine(scratchDirectory, "encode-spec.json");
        File.WriteAllText(spec, JsonSerializer.Serialize(log, Json));
        return RunNode("encode-hlog.js", Path.GetFullPath(spec));
    }

    /// <summary>One of the scripts beside this library's package; its stdout, or an exception with its stderr.</summary>
    private static string RunNode(string script, string argument)
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "hdr-histogram-js", "package.json")))
        {
            throw new InvalidOperationException($"hdr-histogram-js is not installed: run npm ci in {Folder} (.ci/run does)");
        }
        ChildOutcome node;
        try
        {
            node = ChildRun.Run(ChildStart.Stock("node", Path.Combine(Folder, script), argument) with { WorkingDirectory = Folder }, limit: Eventually.Generous);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"node cannot be started ({e.Message}): install nodejs and npm (apt-get install nodejs npm), then run npm ci in {Folder}", e);
        }
        return node.Succeeded ? node.StandardOutput : throw new InvalidOperationException($"hdr-histogram-js: {node.Failure}");
    }

    /// <summary>The log's histograms by tag ("" for the untagged one), for a log that has one of each.</summary>
    public static IReadOnlyDictionary<string, DecodedHistogram> DecodeByTag(string hlogPath) =>
        Decode(hlogPath).ToDictionary(histogram => histogram.Tag);

    private sealed record Values(double Mean, double P50, double P90, double P99, double P999, double P9999, double Max);

    private sealed record Line(
        string Tag, double StartTimeStampMsec, double EndTimeStampMsec, long TotalCount,
        long LowestDiscernibleValue, long HighestTrackableValue, int NumberOfSignificantValueDigits, Values Nanos, Values Micros)
    {
        public DecodedHistogram ToDecoded() => new(
            Tag, StartTimeStampMsec, EndTimeStampMsec, TotalCount, LowestDiscernibleValue, HighestTrackableValue, NumberOfSignificantValueDigits,
            new LatencySummary(Micros.Mean, Micros.P50, Micros.P90, Micros.P99, Micros.P999, Micros.P9999, Micros.Max, TotalCount),
            new DecodedNanos(Nanos.Mean, (long)Nanos.P50, (long)Nanos.P90, (long)Nanos.P99, (long)Nanos.P999, (long)Nanos.P9999, (long)Nanos.Max));
    }
}
