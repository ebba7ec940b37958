using System.Globalization;

namespace RemoteLogin.Measurement;

/// <summary>Machine-wide kernel counters: the "system" object of results.json. Everything on the machine counts, not only RemoteLogin.</summary>
public sealed record SystemCounters(long ContextSwitches, long Interrupts, long NetRxSoftirqs) : ICounterSet<SystemCounters>
{
    public static SystemCounters Capture()
    {
        var (contextSwitches, interrupts) = ReadStat();
        return new SystemCounters(contextSwitches, interrupts, ReadNetSoftirqs().NetRx);
    }

    static SystemCounters ICounterSet<SystemCounters>.Combine<TOp>(SystemCounters a, SystemCounters b, ref TOp op) => new(
        op.Count(a.ContextSwitches, b.ContextSwitches),
        op.Count(a.Interrupts, b.Interrupts),
        op.Count(a.NetRxSoftirqs, b.NetRxSoftirqs));

    public static SystemCounters operator -(SystemCounters end, SystemCounters start) => CounterSet.Subtract(end, start);

    /// <summary>/proc/stat's context switches ("ctxt") and interrupts ("intr") since boot, over every CPU. Shared with <see cref="HostSystemCounters"/>.</summary>
    internal static (long ContextSwitches, long Interrupts) ReadStat()
    {
        long contextSwitches = 0, interrupts = 0;
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("ctxt ", StringComparison.Ordinal))
            {
                contextSwitches = FirstNumber(line);
            }
            else if (line.StartsWith("intr ", StringComparison.Ordinal))
            {
                interrupts = FirstNumber(line); // the first field after "intr" is the total over all sources
            }
        }
        return (contextSwitches, interrupts);
    }

    /// <summary>/proc/softirqs' NET_RX and NET_TX rows, each summed over the CPUs, in one read. Shared with <see cref="HostSystemCounters"/>.</summary>
    internal static (long NetRx, long NetTx) ReadNetSoftirqs()
    {
        long netRx = 0, netTx = 0;
        foreach (var line in File.ReadLines("/proc/softirqs"))
        {
            var trimmed = line.AsSpan().TrimStart();
            if (trimmed.StartsWith("NET_RX:", StringComparison.Ordinal))
            {
                netRx = SumOfFields(trimmed["NET_RX:".Length..]);
            }
            else if (trimmed.StartsWith("NET_TX:", StringComparison.Ordinal))
            {
                netTx = SumOfFields(trimmed["NET_TX:".Length..]);
            }
        }
        return (netRx, netTx);
    }

    /// <summary>The sum of the white-space separated numbers of a row of per-CPU counts.</summary>
    internal static long SumOfFields(ReadOnlySpan<char> fields)
    {
        long sum = 0;
        foreach (var range in fields.SplitAny(' ', '\t'))
        {
            var field = fields[range];
            if (!field.IsEmpty)
            {
                sum += long.Parse(field, CultureInfo.InvariantCulture);
            }
        }
        return sum;
    }

    private static long FirstNumber(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
