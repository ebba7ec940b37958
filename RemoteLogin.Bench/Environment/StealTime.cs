using System.Globalization;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// The share of CPU time the hypervisor gave to others while this guest wanted it (the "steal" column of
/// /proc/stat), over a short window: a run on a virtual machine whose host is busy measures the host's neighbours.
/// </summary>
internal static class StealTime
{
    /// <summary>Long enough for /proc/stat's 10 ms ticks to add up to a share (two CPUs: 100 ticks), short enough to take twice per run.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(500);

    /// <summary>Steal as a percentage of all CPU time over <see cref="Window"/>, or null when /proc/stat has no steal column.</summary>
    public static double? MeasurePercent(SystemFiles files)
    {
        if (Read(files) is not { } before)
        {
            return null;
        }
        Thread.Sleep(Window);
        if (Read(files) is not { } after)
        {
            return null;
        }
        long total = after.Total - before.Total;
        return total > 0 ? 100.0 * (after.Steal - before.Steal) / total : 0;
    }

    private readonly record struct Ticks(long Total, long Steal);

    /// <summary>The aggregate "cpu" line: user nice system idle iowait irq softirq steal guest guest_nice.</summary>
    private static Ticks? Read(SystemFiles files)
    {
        if (files.ReadLine("/proc/stat") is not { } line || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return null;
        }
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        if (fields.Length < 8)
        {
            return null; // kernels before 2.6.11 had no steal column
        }
        // guest and guest_nice are already inside user and nice: the first eight columns are the whole.
        long total = fields.Take(8).Sum(field => long.Parse(field, CultureInfo.InvariantCulture));
        return new Ticks(total, long.Parse(fields[7], CultureInfo.InvariantCulture));
    }
}
