using System.Text.Json;
using HdrHistogram;
using HistogramLogReader = RemoteLogin.Measurement.HistogramLogReader;
using RemoteLogin.Measurement;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// One run out of the parts several load hosts ran at once: the histograms added (HdrHistogram's own Add, so a
/// percentile is of every sample, never an average of percentiles), the counts summed, each host's part kept.
/// </summary>
internal static class LoadHostsMerge
{
    public sealed record Part(string Host, RunResult Result, string HlogPath, JsonElement? Environment);

    /// <param name="mergedHlogPath">Where the merged histogram log goes: the run's own .hlog.</param>
    public static RunResult Merge(IReadOnlyList<Part> parts, string mergedHlogPath)
    {
        var byTag = new Dictionary<string, HistogramBase>();
        foreach (var part in parts)
        {
            using var stream = File.OpenRead(part.HlogPath);
            foreach (var histogram in HistogramLogReader.Read(stream))
            {
                string tag = histogram.Tag ?? "";
                if (byTag.TryGetValue(tag, out var sum))
                {
                    sum.Add(histogram);
                    sum.StartTimeStamp = Math.Min(sum.StartTimeStamp, histogram.StartTimeStamp);
                    sum.EndTimeStamp = Math.Max(sum.EndTimeStamp, histogram.EndTimeStamp);
                }
                else
                {
                    byTag[tag] = histogram;
                }
            }
        }
        var merged = byTag.Values.ToList();
        using (var output = File.Create(mergedHlogPath))
        {
            long start = merged.Select(h => h.StartTimeStamp).Where(t => t > 0).DefaultIfEmpty(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Min();
            HistogramLog.Write(output, DateTimeOffset.FromUnixTimeMilliseconds(start), merged);
        }

        var results = parts.Select(p => p.Result).ToList();
        var first = results[0];
        long chars = results.Sum(r => r.Chars);
        double elapsed = results.Max(r => r.ElapsedSeconds);
        LatencySummary? Summary(string tag) => byTag.TryGetValue(tag, out var h) ? LatencySummary.From(h) : null;
        string[] failures = [.. parts.SelectMany(p => (p.Result.Failures ?? []).Select(f => $"{p.Host}: {f}"))];
        return first with
        {
            Sessions = results.Sum(r => r.Sessions),
            Chars = chars,
            ElapsedSeconds = elapsed,
            CharsPerSecond = elapsed > 0 ? chars / elapsed : 0,
            RttMicros = Summary("") ?? throw new InvalidOperationException($"no round-trip histogram in {string.Join(", ", parts.Select(p => p.HlogPath))}"),
            // Each host logs setup only where it had enough warm sessions: the merge takes every host's that did.
            SetupMicros = Summary("setup"),
            SendLatenessMicros = Summary("sendLateness"),
            Integrity = results.Select(r => r.Integrity).Aggregate((a, b) => a + b),
            Client = results.Select(r => r.Client).Aggregate((a, b) => a + b),
            ClientAllocationNoiseBytes = results.Sum(r => r.ClientAllocationNoiseBytes ?? 0),
            // Every client's check, or none: a sum over some of them would pass for the whole run's.
            ClientCheckMicros = results.All(r => r.ClientCheckMicros is not null) ? results.Sum(r => r.ClientCheckMicros) : null,
            Failures = failures.Length > 0 ? failures : null,
            HistogramLog = Path.GetFileName(mergedHlogPath),
            Hosts = [.. parts.Select(p => new HostRun
            {
                Host = p.Host,
                Sessions = p.Result.Sessions,
                Chars = p.Result.Chars,
                CharsPerSecond = p.Result.CharsPerSecond,
                RttMicros = p.Result.RttMicros,
                SendLatenessMicros = p.Result.SendLatenessMicros,
                Integrity = p.Result.Integrity,
                Client = p.Result.Client,
                System = p.Result.System,
                Failures = p.Result.Failures,
                Environment = p.Environment,
                HistogramLog = Path.GetFileName(p.HlogPath),
            })],
        };
    }
}
