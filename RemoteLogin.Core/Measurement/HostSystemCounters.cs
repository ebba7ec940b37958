using System.Globalization;

namespace RemoteLogin.Measurement;

/// <summary>
/// The daemon's host's kernel counters in a two-host run: the "remoteSystem" object of results.json, read at the two
/// edges of the measured part (never inside it) and subtracted. Like <see cref="SystemCounters"/>, every count is the
/// whole machine's: the daemon's keystrokes, and anything else the host did meanwhile.
/// </summary>
/// <param name="ContextSwitches">Context switches on every CPU (/proc/stat "ctxt").</param>
/// <param name="Interrupts">Interrupts of every source on every CPU (/proc/stat "intr"'s total): timers, IPIs and every device, the NIC among them.</param>
/// <param name="NetRxSoftirqs">NET_RX softirqs run on every CPU (/proc/softirqs): receive processing of every interface, loopback too.</param>
/// <param name="NetTxSoftirqs">NET_TX softirqs run on every CPU (/proc/softirqs): deferred transmits and transmit completions; rare where a qdisc never has to hold a packet back.</param>
/// <param name="NicInterrupts">The interface's own interrupt lines summed over every CPU (<see cref="NicInterruptLines"/>), whatever traffic raised them; null when no interface is named or it has no hardware interrupt (veth, lo), never 0 for those.</param>
/// <param name="RxPackets">Packets the interface received (/sys/class/net/IF/statistics/rx_packets), every connection's; null when no interface is named.</param>
/// <param name="TxPackets">Packets the interface sent (statistics/tx_packets), every connection's; null when no interface is named.</param>
public sealed record HostSystemCounters(
    long ContextSwitches, long Interrupts, long NetRxSoftirqs, long NetTxSoftirqs, long? NicInterrupts, long? RxPackets, long? TxPackets)
    : ICounterSet<HostSystemCounters>
{
    /// <summary>The counters now; the interface's own ones too when <paramref name="interfaceName"/> is given.</summary>
    /// <exception cref="ArgumentException">No interface of that name exists on this host.</exception>
    public static HostSystemCounters Capture(string? interfaceName)
    {
        var (contextSwitches, interrupts) = SystemCounters.ReadStat();
        var (netRx, netTx) = SystemCounters.ReadNetSoftirqs();
        if (interfaceName is null)
        {
            return new HostSystemCounters(contextSwitches, interrupts, netRx, netTx, null, null, null);
        }
        string statistics = $"/sys/class/net/{interfaceName}/statistics/";
        if (!Directory.Exists(statistics))
        {
            throw new ArgumentException($"no network interface {interfaceName} on this host", nameof(interfaceName));
        }
        long? nic = NicInterruptLines.Find(interfaceName) is { } lines ? NicInterruptLines.Count(lines) : null;
        return new HostSystemCounters(
            contextSwitches, interrupts, netRx, netTx, nic,
            ReadCount(statistics + "rx_packets"), ReadCount(statistics + "tx_packets"));
    }

    static HostSystemCounters ICounterSet<HostSystemCounters>.Combine<TOp>(HostSystemCounters a, HostSystemCounters b, ref TOp op) => new(
        op.Count(a.ContextSwitches, b.ContextSwitches),
        op.Count(a.Interrupts, b.Interrupts),
        op.Count(a.NetRxSoftirqs, b.NetRxSoftirqs),
        op.Count(a.NetTxSoftirqs, b.NetTxSoftirqs),
        op.Count(a.NicInterrupts, b.NicInterrupts),
        op.Count(a.RxPackets, b.RxPackets),
        op.Count(a.TxPackets, b.TxPackets));

    /// <summary>What happened between two captures; a count either side lacks stays null.</summary>
    public static HostSystemCounters operator -(HostSystemCounters end, HostSystemCounters start) => CounterSet.Subtract(end, start);

    private static long ReadCount(string path) => long.Parse(File.ReadAllText(path).AsSpan().Trim(), CultureInfo.InvariantCulture);
}

/// <summary>
/// A network interface's own interrupt lines (IRQ numbers) and their counts in /proc/interrupts. Found as the kernel
/// lists them: the device's MSI vectors (/sys/class/net/IF/device/msi_irqs) when it has any, else the lines whose
/// name holds the interface's name ("eth0-TxRx-0") or its device's ("virtio0-input.0": a virtio NIC's lines are
/// named after the virtio device the /sys/class/net/IF/device link points to, and its msi_irqs lie on the PCI
/// function above).
/// </summary>
public static class NicInterruptLines
{
    /// <summary>
    /// The interface's IRQ numbers in ascending order, or null when it has no device (veth, lo, a bridge: a virtual
    /// interface takes no hardware interrupt). A device whose lines cannot be told apart gives an empty list.
    /// </summary>
    /// <param name="root">Where / is: a test points it at a tree of its own.</param>
    public static IReadOnlyList<int>? Find(string interfaceName, string root = "/")
    {
        string device = Path.Join(root, "sys/class/net", interfaceName, "device");
        if (!Directory.Exists(device))
        {
            return null;
        }
        string msi = Path.Join(device, "msi_irqs");
        if (Directory.Exists(msi))
        {
            var vectors = new List<int>();
            foreach (var entry in Directory.EnumerateFileSystemEntries(msi))
            {
                if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int irq))
                {
                    vectors.Add(irq);
                }
            }
            if (vectors.Count > 0)
            {
                vectors.Sort();
                return vectors;
            }
        }
        // The link's last component is the device's name: "virtio0", or a PCI address such as "0000:00:03.0".
        string? deviceName = File.ResolveLinkTarget(device, returnFinalTarget: false)?.Name;
        var named = new List<int>();
        foreach (var line in Lines(root))
        {
            if (NameHolds(line.Names, interfaceName) || (deviceName is not null && NameHolds(line.Names, deviceName)))
            {
                named.Add(line.Irq);
            }
        }
        named.Sort();
        return named;
    }

    /// <summary>The interrupts these lines took since boot, summed over every CPU.</summary>
    public static long Count(IReadOnlyList<int> irqs, string root = "/")
    {
        long sum = 0;
        foreach (var line in Lines(root))
        {
            if (irqs.Contains(line.Irq))
            {
                sum += line.Count;
            }
        }
        return sum;
    }

    private readonly record struct Line(int Irq, long Count, string Names);

    /// <summary>/proc/interrupts' numbered lines: "  38:   0   2849   PCI-MSIX-0000:00:03.0   1-edge   virtio2-input.0", one count per CPU in the header.</summary>
    private static IEnumerable<Line> Lines(string root)
    {
        using var reader = new StreamReader(Path.Join(root, "proc/interrupts"));
        string? header = reader.ReadLine();
        if (header is null)
        {
            yield break;
        }
        int cpus = header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        for (string? text; (text = reader.ReadLine()) is not null;)
        {
            int colon = text.IndexOf(':');
            if (colon < 0 || !int.TryParse(text.AsSpan(0, colon).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int irq))
            {
                continue; // NMI, LOC, ERR and the other architecture rows have no IRQ number
            }
            var fields = text[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long count = 0;
            int used = 0;
            while (used < Math.Min(cpus, fields.Length) && long.TryParse(fields[used], NumberStyles.None, CultureInfo.InvariantCulture, out long perCpu))
            {
                count += perCpu;
                used++;
            }
            yield return new Line(irq, count, string.Join(' ', fields[used..]));
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> starts a word of the line's chip and action names, and ends one or is followed
    /// by a separator: "virtio2" is in "virtio2-input.0" but not in "virtio20-input.0", "eth0" in "eth0-TxRx-0".
    /// </summary>
    private static bool NameHolds(string names, string name)
    {
        for (int at = names.IndexOf(name, StringComparison.Ordinal); at >= 0; at = names.IndexOf(name, at + 1, StringComparison.Ordinal))
        {
            bool starts = at == 0 || names[at - 1] is ' ' or ',';
            int after = at + name.Length;
            bool ends = after == names.Length || !char.IsAsciiLetterOrDigit(names[after]);
            if (starts && ends)
            {
                return true;
            }
        }
        return false;
    }
}
