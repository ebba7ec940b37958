using System.Net;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Hosts;

/// <summary>
/// A network namespace of the test's own, joined to the root namespace by a veth pair: a /30 of 198.19.255.0/24 of
/// its own (LabNetwork leaves that /24 alone), .1 here and .2 in the namespace, so that instances in parallel test
/// classes never share an address. Names are unique per instance; Dispose removes both. Small on purpose, for the
/// host-reader tests only: one veth, no bridge, so the root end's driver is veth.
/// </summary>
internal sealed class VethNamespace : IDisposable
{
    private static int s_instances = Environment.ProcessId;

    public IPAddress RootAddress { get; }

    public IPAddress InnerAddress { get; }

    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    public VethNamespace()
    {
        int slot = (Interlocked.Increment(ref s_instances) & int.MaxValue) % 64;
        RootAddress = new IPAddress([198, 19, 255, (byte)(4 * slot + 1)]);
        InnerAddress = new IPAddress([198, 19, 255, (byte)(4 * slot + 2)]);
        string suffix = Guid.NewGuid().ToString("N")[..6];
        Namespace = $"rlhost-{suffix}";
        RootEnd = $"rlh{suffix}a"; // interface names have 15 characters at most
        InnerEnd = $"rlh{suffix}b";
        try
        {
            Ip("netns", "add", Namespace);
            Ip("link", "add", RootEnd, "type", "veth", "peer", "name", InnerEnd, "netns", Namespace);
            Ip("addr", "add", $"{RootAddress}/30", "dev", RootEnd);
            Ip("link", "set", RootEnd, "up");
            Ip("-n", Namespace, "addr", "add", $"{InnerAddress}/30", "dev", InnerEnd);
            Ip("-n", Namespace, "link", "set", InnerEnd, "up");
            Ip("-n", Namespace, "link", "set", "lo", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Namespace { get; }

    /// <summary>The veth end in the root namespace, where the test reads its counters.</summary>
    public string RootEnd { get; }

    public string InnerEnd { get; }

    /// <summary>
    /// A token bucket on the root end's transmit side that a burst overruns: the qdisc then holds packets back and
    /// its watchdog reschedules them through the NET_TX softirq, which a veth's noqueue path never raises.
    /// </summary>
    public void ThrottleRootEnd() => Run("tc", "qdisc", "add", "dev", RootEnd, "root", "tbf", "rate", "1mbit", "burst", "1600", "limit", "1000000");

    /// <summary>A RemoteLogin program started inside the namespace (ip netns exec execs it: the process is the program's).</summary>
    public ChildStart InNamespace(string program, params string[] arguments) =>
        ChildStart.Sibling(program, arguments).Under("ip", "netns", "exec", Namespace);

    public void Dispose()
    {
        // Deleting the namespace removes its veth end, and the pair with it, but only after the call returns; the
        // root end is deleted first so that the next test's pair can take the address at once.
        TryRun("ip", "link", "del", RootEnd);
        TryRun("ip", "netns", "del", Namespace);
    }

    private static void Ip(params string[] arguments) => Run("ip", arguments);

    private static void Run(string command, params string[] arguments)
    {
        var (exitCode, error) = Execute(command, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({exitCode}): {error.Trim()}");
        }
    }

    private static void TryRun(string command, params string[] arguments) => Execute(command, arguments);

    private static (int ExitCode, string Error) Execute(string command, string[] arguments)
    {
        var run = ChildRun.Run(ChildStart.Stock(command, arguments), limit: CommandLimit);
        return (run.ExitCode, run.StandardError); // hung: the exit code throws, saying so
    }
}
