using System.Diagnostics;
using System.Globalization;
using System.Net;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Support;

/// <summary>A lab host emulated by a network namespace: its name (for <see cref="LabNetwork.InNamespace"/>) and its eth0 address.</summary>
internal sealed record LabHost(string Namespace, IPAddress Address);

/// <summary>
/// Emulated lab machines for issue 14's tests: a bridge in the root namespace at 198.18.K.1/24 and one network
/// namespace per host, joined to it by a veth pair whose inner end is eth0 at 198.18.K.(n+2)/24. Each network takes
/// a /24 of 198.18.0.0/15 (512 of them) of its own, claimed by creating its bridge: `ip link add` of a name that
/// exists fails, so two test processes at once never share one. Needs root and iproute2 (see <see cref="Unavailable"/>).
/// </summary>
/// <remarks>
/// Names are "rlab" + K + a letter + n (at most 10 characters; Linux allows 15): the bridge rlabKb, namespace rlabKnN,
/// its veth's root end rlabKvN. The bridge is made first and removed last, so it marks the /24 as taken for as long as
/// anything of the network is left; its alias records the owner's pid and start time, which is how a later run tells
/// a crashed run's leftovers from a live network.
/// </remarks>
internal sealed class LabNetwork : IDisposable
{
    public const string Prefix = "rlab";

    // The /24s of 198.18.0.0/15 but the last, 198.19.255.0/24, which VethNamespace (the host readers' tests) takes its /30s from.
    private const int Subnets = 511;

    private readonly int _subnet;
    private readonly List<LabHost> _hosts = [];

    private LabNetwork(int subnet)
    {
        _subnet = subnet;
        BridgeAddress = Address(subnet, 1);
    }

    public IReadOnlyList<LabHost> Hosts => _hosts;

    /// <summary>The root namespace's address on the bridge: the bench's own "local" host as the lab hosts see it.</summary>
    public IPAddress BridgeAddress { get; }

    /// <summary>The bridge's name; every interface and namespace of this network starts with it but for its last letter.</summary>
    public string BridgeName => BridgeNameOf(_subnet);

    /// <summary>Why the emulation cannot run here, in one line, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "lab networks need root (network namespaces, veth pairs, a bridge): run the tests as root";
        }
        var (exitCode, _, error) = Run(["ip", "netns", "list"]);
        return exitCode switch
        {
            0 => null,
            -1 => "lab networks need ip from iproute2, which is not installed (apt-get install iproute2)",
            _ => $"ip netns list failed here: {error.Trim()}",
        };
    }

    /// <summary>
    /// A bridge and <paramref name="hosts"/> namespaces on it. Throws, with nothing left behind, when a step fails.
    /// No link delay: these machines' kernel has no netem (tc: "Specified qdisc kind is unknown"), and a delay that
    /// cannot be tested here is not offered (docs/two-hosts.md gives the tc line for a lab host).
    /// </summary>
    public static LabNetwork Create(int hosts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hosts);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hosts, 250); // .2 to .252 of the /24
        RemoveLeftovers();
        var network = new LabNetwork(ClaimSubnet());
        try
        {
            network.Build(hosts);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A start of <paramref name="program"/> inside namespace <paramref name="ns"/> (ip netns exec execs it: its pid is the program's), standard streams redirected.</summary>
    public static ChildStart InNamespace(string ns, ChildStart start) => start.Under("ip", "netns", "exec", ns);

    /// <summary>Kills what still runs in the namespaces, then removes them and the bridge; each step is tried whatever the last one did.</summary>
    public void Dispose()
    {
        RemoveNamespaces(_subnet);
        Run(["ip", "link", "del", BridgeName]); // last: until now it keeps the /24 taken
    }

    private void Build(int hosts)
    {
        Must("ip", "link", "set", BridgeName, "alias", OwnerAlias(Environment.ProcessId));
        Must("ip", "addr", "add", $"{BridgeAddress}/24", "dev", BridgeName);
        Must("ip", "link", "set", BridgeName, "up");
        for (int n = 0; n < hosts; n++)
        {
            string ns = NamespaceOf(_subnet, n), veth = VethOf(_subnet, n);
            var address = Address(_subnet, n + 2);
            Must("ip", "netns", "add", ns);
            _hosts.Add(new LabHost(ns, address)); // from here Dispose removes it
            Must("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
            Must("ip", "link", "set", veth, "master", BridgeName, "up");
            Must("ip", "-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
            Must("ip", "-n", ns, "link", "set", "eth0", "up");
            Must("ip", "-n", ns, "link", "set", "lo", "up");
        }
    }

    /// <summary>The first free /24, from one that depends on the pid so that parallel processes seldom try the same one first.</summary>
    private static int ClaimSubnet()
    {
        int first = Environment.ProcessId % Subnets;
        for (int i = 0; i < Subnets; i++)
        {
            int subnet = (first + i) % Subnets;
            if (Run(["ip", "link", "add", BridgeNameOf(subnet), "type", "bridge"]).ExitCode == 0)
            {
                return subnet;
            }
        }
        throw new InvalidOperationException($"all {Subnets} lab subnets of 198.18.0.0/15 are taken: see ip link show type bridge ({Prefix}*)");
    }

    /// <summary>
    /// Removes the networks of runs that crashed before their Dispose: a bridge whose alias names an owner process that
    /// is gone, and none of whose namespaces has a process left. A bridge without our alias is in the making, and stays.
    /// </summary>
    private static void RemoveLeftovers()
    {
        var (exitCode, output, _) = Run(["ip", "-o", "link", "show", "type", "bridge"]);
        if (exitCode != 0)
        {
            return;
        }
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "7: rlab12b: <BROADCAST,...> ... \    alias rlab-owner 1234 5678"
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !TrySubnetOf(words[1].TrimEnd(':'), out int subnet))
            {
                continue;
            }
            int alias = Array.IndexOf(words, "alias");
            if (alias < 0 || alias + 3 >= words.Length || words[alias + 1] != "rlab-owner"
                || !int.TryParse(words[alias + 2], out int pid) || OwnerAlias(pid) == $"rlab-owner {pid} {words[alias + 3]}")
            {
                continue; // not ours to judge, or its owner still runs
            }
            if (NamespacesOf(subnet).Any(ns => Pids(ns).Count > 0))
            {
                continue;
            }
            RemoveNamespaces(subnet);
            Run(["ip", "link", "del", BridgeNameOf(subnet)]);
        }
    }

    /// <summary>Every namespace of the subnet that exists (half-made ones too), its processes killed and its veth pair deleted first.</summary>
    private static void RemoveNamespaces(int subnet)
    {
        foreach (string ns in NamespacesOf(subnet))
        {
            KillAll(ns);
            // Deleting the root end takes the pair now; a namespace's own devices go only when the kernel gets round to it.
            Run(["ip", "link", "del", VethOf(subnet, int.Parse(ns.AsSpan(ns.LastIndexOf('n') + 1), CultureInfo.InvariantCulture))]);
            Run(["ip", "netns", "del", ns]);
        }
    }

    /// <summary>The names in /run/netns (where ip netns keeps them) of this subnet's hosts.</summary>
    private static List<string> NamespacesOf(int subnet)
    {
        string prefix = $"{Prefix}{subnet}n";
        return Directory.Exists(NamespaceDirectory)
            ? [.. Directory.EnumerateFiles(NamespaceDirectory, prefix + "*").Select(path => Path.GetFileName(path))
                .Where(name => int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out _))]
            : [];
    }

    /// <summary>SIGKILL to every process in the namespace, then a bounded wait until none is left (a killed child of ours is reaped by the runtime).</summary>
    private static void KillAll(string ns)
    {
        var clock = Stopwatch.StartNew();
        for (var pids = Pids(ns); pids.Count > 0 && clock.Elapsed < Eventually.Generous; pids = Pids(ns))
        {
            foreach (int pid in pids)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: false);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // gone already
                }
            }
            Thread.Sleep(20);
        }
    }

    private static List<int> Pids(string ns)
    {
        var (exitCode, output, _) = Run(["ip", "netns", "pids", ns]);
        return exitCode != 0 ? [] : [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    private const string NamespaceDirectory = "/run/netns";

    /// <summary>"rlab-owner PID STARTTIME": the start time (field 22 of /proc/PID/stat) tells a reused pid from the owner.</summary>
    private static string OwnerAlias(int pid)
    {
        string start = "gone";
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            start = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]; // after "(comm) ", field 3 is index 0
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return $"rlab-owner {pid} {start}";
    }

    private static bool TrySubnetOf(string bridge, out int subnet)
    {
        subnet = -1;
        return bridge.StartsWith(Prefix, StringComparison.Ordinal) && bridge.EndsWith('b')
            && int.TryParse(bridge.AsSpan(Prefix.Length, bridge.Length - Prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out subnet)
            && subnet < Subnets && bridge == BridgeNameOf(subnet);
    }

    private static string BridgeNameOf(int subnet) => $"{Prefix}{subnet}b";

    private static string NamespaceOf(int subnet, int n) => $"{Prefix}{subnet}n{n}";

    private static string VethOf(int subnet, int n) => $"{Prefix}{subnet}v{n}";

    private static IPAddress Address(int subnet, int host) => new([198, (byte)(18 + subnet / 256), (byte)(subnet % 256), (byte)host]);

    private static void Must(params string[] command)
    {
        var (exitCode, _, error) = Run(command);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({exitCode}): {error.Trim()}");
        }
    }

    /// <summary>Runs a command to its end; exit code -1 when it cannot be started at all.</summary>
    private static (int ExitCode, string Output, string Error) Run(string[] command)
    {
        try
        {
            var run = ChildRun.Run(ChildStart.Stock(command[0], command[1..]), limit: Eventually.Generous);
            return run.Hung ? (-2, run.StandardOutput, run.Failure) : (run.ExitCode, run.StandardOutput, run.StandardError);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }
}
