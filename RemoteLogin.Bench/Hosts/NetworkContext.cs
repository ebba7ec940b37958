using System.ComponentModel;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// What shapes the daemon's host's network path, read once per run and written into results.json's "daemonMachine":
/// the interface that holds the daemon's address, its driver, and every setting that trades latency for throughput
/// (interrupt coalescing, offloads, where its interrupts and receive processing run, busy polling, autocorking).
/// A part that cannot be read (no ethtool, a driver that does not implement it) is null with its reason in
/// <see cref="Unavailable"/>: the context describes the host, it never stops a run.
/// </summary>
/// <param name="Address">The daemon's address, as the run uses it.</param>
/// <param name="Interface">The interface holding <paramref name="Address"/>; null when none does.</param>
/// <param name="Driver">ethtool -i's driver ("virtio_net", "veth", "mlx5_core"); with <paramref name="DriverVersion"/> and <paramref name="Firmware"/> (empty where the driver has none) one part, "driver", in <paramref name="Unavailable"/>.</param>
/// <param name="Coalescing">ethtool -c: parameter → value ("rx-usecs" → "0", "adaptive-rx" → "off"); those the driver marks n/a are left out.</param>
/// <param name="Offloads">ethtool -k: feature → state, verbatim ("generic-receive-offload" → "on", "large-receive-offload" → "off [fixed]").</param>
/// <param name="Irqs">The NIC's interrupt lines (<see cref="NicInterruptLines"/>) and the CPUs each may run on.</param>
/// <param name="Rps">Receive packet steering: receive queue → rps_cpus mask ("rx-0" → "0" when off).</param>
/// <param name="Sysctls">The latency-changing sysctls by name; a value is null when the kernel lacks it.</param>
/// <param name="Unavailable">Part → why it is null, one line each ("coalescing" → "ethtool -c veth0: netlink error: Operation not supported").</param>
internal sealed partial record NetworkContext(
    string Address,
    string? Interface,
    string? Driver,
    string? DriverVersion,
    string? Firmware,
    int? Mtu,
    IReadOnlyDictionary<string, string>? Coalescing,
    IReadOnlyDictionary<string, string>? Offloads,
    IReadOnlyList<NicIrq>? Irqs,
    IReadOnlyDictionary<string, string>? Rps,
    IReadOnlyDictionary<string, string?> Sysctls,
    IReadOnlyDictionary<string, string> Unavailable)
{
    /// <summary>What a stuck ethtool is given before its part is marked unavailable.</summary>
    public static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(10);

    /// <summary>The sysctls that change a keystroke's latency, as /proc/sys spells their paths.</summary>
    public static readonly IReadOnlyList<string> LatencySysctls = ["net.ipv4.tcp_autocorking", "net.core.busy_read", "net.core.busy_poll"];

    /// <summary>The context as results.md shows it, under the daemon host's environment: a few lines, the rest in results.json.</summary>
    public IReadOnlyList<string> Describe()
    {
        string Or(string? value, string part) => value ?? $"unknown ({Unavailable.GetValueOrDefault(part, "not read")})";
        string Pairs(IReadOnlyDictionary<string, string>? pairs, string part, params string[] keys) => pairs is null
            ? Or(null, part)
            : string.Join(", ", (keys.Length == 0 ? pairs.Keys : keys.Where(pairs.ContainsKey)).Select(k => $"{k} {pairs[k]}"));
        return
        [
            $"data path {Address} on {Or(Interface, "interface")}: driver {Or(Driver, "driver")}, MTU {(Mtu is { } mtu ? mtu.ToString(System.Globalization.CultureInfo.InvariantCulture) : Or(null, "mtu"))}",
            $"coalescing: {Pairs(Coalescing, "coalescing", "adaptive-rx", "rx-usecs", "rx-frames", "tx-usecs", "tx-frames")}",
            $"offloads: {Pairs(Offloads, "offloads", "generic-receive-offload", "large-receive-offload", "tcp-segmentation-offload", "generic-segmentation-offload")}",
            $"interrupts: {(Irqs is null ? Or(null, "irqs") : Irqs.Count == 0 ? "none (no hardware interrupt)" : string.Join(", ", Irqs.Select(i => $"{i.Irq} on CPUs {i.AffinityList}")))}; RPS: {Pairs(Rps, "rps")}",
            $"sysctls: {string.Join(", ", Sysctls.Select(kv => $"{kv.Key} {kv.Value ?? "absent"}"))}",
        ];
    }

    /// <summary>The context of the interface holding <paramref name="address"/> on this host.</summary>
    public static NetworkContext For(IPAddress address)
    {
        var unavailable = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var sysctls = LatencySysctls.ToDictionary(name => name, name => Sysctl(name, unavailable));
        string? name = InterfaceFor(address);
        if (name is null)
        {
            unavailable["interface"] = $"no interface on this host holds {address}";
            return new NetworkContext(address.ToString(), null, null, null, null, null, null, null, null, null, sysctls, unavailable);
        }

        var files = SystemFiles.Host;
        string mtuPath = $"/sys/class/net/{name}/mtu";
        int? mtu = int.TryParse(files.ReadLine(mtuPath), out int value) ? value : null;
        if (mtu is null)
        {
            unavailable["mtu"] = SystemFiles.Unavailable(mtuPath);
        }

        var driver = Ethtool("-i", name, "driver", unavailable);
        var coalescing = Ethtool("-c", name, "coalescing", unavailable);
        var offloads = Ethtool("-k", name, "offloads", unavailable);
        return new NetworkContext(
            address.ToString(), name,
            driver?.GetValueOrDefault("driver"), driver?.GetValueOrDefault("version"), driver?.GetValueOrDefault("firmware-version"),
            mtu,
            coalescing is null ? null : Coalesce(coalescing),
            offloads is null ? null : new SortedDictionary<string, string>(offloads, StringComparer.Ordinal),
            ReadIrqs(name, unavailable),
            ReadRps(name, unavailable),
            sysctls, unavailable);
    }

    /// <summary>The name of the interface that holds <paramref name="address"/> on this host, or null when none does. Any loopback address is lo's.</summary>
    public static string? InterfaceFor(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var interfaces = NetworkInterface.GetAllNetworkInterfaces();
        foreach (var candidate in interfaces)
        {
            if (candidate.GetIPProperties().UnicastAddresses.Any(unicast => unicast.Address.Equals(address)))
            {
                return candidate.Name;
            }
        }
        // 127.0.0.2 is lo's through its /8 route although lo lists only 127.0.0.1.
        return IPAddress.IsLoopback(address)
            ? interfaces.FirstOrDefault(candidate => candidate.NetworkInterfaceType == NetworkInterfaceType.Loopback)?.Name
            : null;
    }

    private static string? Sysctl(string name, IDictionary<string, string> unavailable)
    {
        string path = "/proc/sys/" + name.Replace('.', '/');
        string? value = SystemFiles.Host.ReadLine(path);
        if (value is null)
        {
            unavailable[name] = SystemFiles.Unavailable(path);
        }
        return value;
    }

    private static List<NicIrq>? ReadIrqs(string name, IDictionary<string, string> unavailable)
    {
        var lines = NicInterruptLines.Find(name);
        if (lines is null)
        {
            unavailable["irqs"] = $"{name} has no device (/sys/class/net/{name}/device): a virtual interface takes no hardware interrupt";
            return null;
        }
        if (lines.Count == 0)
        {
            unavailable["irqs"] = $"no line of /proc/interrupts is {name}'s device's";
        }
        return lines.Select(irq => new NicIrq(irq, SystemFiles.Host.ReadLine($"/proc/irq/{irq}/smp_affinity_list"))).ToList();
    }

    private static SortedDictionary<string, string>? ReadRps(string name, IDictionary<string, string> unavailable)
    {
        string queues = $"/sys/class/net/{name}/queues";
        var rps = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var queue in SystemFiles.Host.Entries(queues).Where(entry => entry.StartsWith("rx-", StringComparison.Ordinal)))
        {
            if (SystemFiles.Host.ReadLine($"{queues}/{queue}/rps_cpus") is { } mask)
            {
                rps[queue] = mask;
            }
        }
        if (rps.Count == 0)
        {
            unavailable["rps"] = $"no {queues}/rx-*/rps_cpus (a kernel without CONFIG_RPS, or no receive queue)";
            return null;
        }
        return rps;
    }

    /// <summary>ethtool -c's "name: value" lines, the two-valued "Adaptive RX: off  TX: n/a" split in two.</summary>
    private static SortedDictionary<string, string> Coalesce(Dictionary<string, string> lines)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in lines)
        {
            if (PairedValue().Match($"{name}: {value}") is { Success: true } pair)
            {
                // "Adaptive RX: off  TX: n/a" and "CQE mode RX: n/a  TX: n/a".
                string stem = pair.Groups["stem"].Value.ToLowerInvariant().Replace(' ', '-');
                Add(parameters, $"{stem}-rx", pair.Groups["rx"].Value);
                Add(parameters, $"{stem}-tx", pair.Groups["tx"].Value);
            }
            else
            {
                Add(parameters, name, value);
            }
        }
        return parameters;

        static void Add(SortedDictionary<string, string> parameters, string name, string value)
        {
            if (value != "n/a")
            {
                parameters[name] = value;
            }
        }
    }

    /// <summary>
    /// ethtool's "name: value" lines (its heading, which ends in a colon, left out), or null with the reason in
    /// <paramref name="unavailable"/> when ethtool is missing, fails or does not answer within <see cref="CommandLimit"/>.
    /// </summary>
    private static Dictionary<string, string>? Ethtool(string option, string name, string part, IDictionary<string, string> unavailable)
    {
        string command = $"ethtool {option} {name}";
        try
        {
            var ethtool = ChildRun.Run(ChildStart.Stock("ethtool", option, name), limit: CommandLimit);
            if (ethtool.Hung)
            {
                unavailable[part] = $"{command}: no answer within {CommandLimit.TotalSeconds:0} s";
                return null;
            }
            if (ethtool.ExitCode != 0)
            {
                string reason = FirstLine(ethtool.StandardError) ?? FirstLine(ethtool.StandardOutput) ?? "no message";
                unavailable[part] = $"{command}: {reason} (exit code {ethtool.ExitCode})";
                return null;
            }
            var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in ethtool.StandardOutput.Split('\n'))
            {
                int colon = line.IndexOf(':');
                string key = colon < 0 ? "" : line[..colon].Trim();
                string value = colon < 0 ? "" : line[(colon + 1)..].Trim();
                if ((key.Length > 0 && value.Length > 0) || key is "firmware-version" or "version")
                {
                    pairs[key] = value;
                }
            }
            return pairs;
        }
        catch (Win32Exception)
        {
            unavailable[part] = $"{command}: ethtool is not installed on this host";
            return null;
        }
    }

    private static string? FirstLine(string text) =>
        text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0);

    [GeneratedRegex(@"^(?<stem>.+?) RX: (?<rx>\S+)\s+TX: (?<tx>\S+)$")]
    private static partial Regex PairedValue();
}

/// <summary>One of the NIC's interrupt lines and the CPUs it may be taken on (/proc/irq/N/smp_affinity_list; null when unreadable).</summary>
internal sealed record NicIrq(int Irq, string? AffinityList);
