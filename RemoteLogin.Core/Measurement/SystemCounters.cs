namespace RemoteLogin.Measurement;

/// <summary>Machine-wide kernel counters: the "system" object of results.json. Everything on the machine counts, not only RemoteLogin.</summary>
public sealed record SystemCounters(long ContextSwitches, long Interrupts, long NetRxSoftirqs)
{
    public static SystemCounters Capture()
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
        long netRx = 0;
        foreach (var line in File.ReadLines("/proc/softirqs"))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("NET_RX:", StringComparison.Ordinal))
            {
                foreach (var field in trimmed["NET_RX:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    netRx += long.Parse(field, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        return new SystemCounters(contextSwitches, interrupts, netRx);
    }

    public static SystemCounters operator -(SystemCounters end, SystemCounters start) => new(
        end.ContextSwitches - start.ContextSwitches,
        end.Interrupts - start.Interrupts,
        end.NetRxSoftirqs - start.NetRxSoftirqs);

    private static long FirstNumber(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
