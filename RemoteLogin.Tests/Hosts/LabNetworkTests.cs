using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Hosts;

/// <summary>
/// The emulated lab of issue 14: a real daemon inside one namespace, reached from the root namespace and from
/// another namespace over the bridge; nothing left after Dispose; parallel networks apart; netem's delay on the path.
/// </summary>
public sealed partial class LabNetworkTests
{
    [Fact]
    public async Task A_daemon_in_one_host_echoes_to_the_root_namespace_and_to_another_host()
    {
        AssertAvailable();
        using var lab = LabNetwork.Create(hosts: 2);
        var (daemonHost, loadHost) = (lab.Hosts[0], lab.Hosts[1]);
        using var daemon = StartDaemon(daemonHost);
        var endpoint = await ListeningEndpointAsync(daemon);
        Assert.Equal(daemonHost.Address, endpoint.Address);

        using (var fromRoot = await EchoClient.ConnectAsync(endpoint)) // connects only if the bridge routes to the host
        {
            Assert.Equal(lab.BridgeAddress, ((IPEndPoint)fromRoot.LocalEndPoint!).Address.MapToIPv4()); // a dual-mode socket
            await EchoClient.AssertEchoesAsync(fromRoot, "typed in the root namespace"u8.ToArray());
        }

        string json = Path.Combine(Path.GetTempPath(), $"lab-load-{Environment.ProcessId}.json");
        try
        {
            var load = InNamespace(loadHost, "RemoteLogin.Client", "load", "--host", endpoint.Address.ToString(),
                "--port", endpoint.Port.ToString(), "--sessions", "2", "--chars", "300", "--warmup", "0", "--json", json);
            var outcome = await ChildRun.RunAsync(load, limit: TimeSpan.FromMinutes(5));

            Assert.True(outcome.ExitCode == 0, outcome.StandardError);
            var result = ResultsJson.Deserialize<RunResult>(File.ReadAllText(json));
            Assert.Equal(new IntegrityCounts(0, 0, 0), result.Integrity);
            Assert.Equal(result.Chars, result.RttMicros.Count); // every character came back over the bridge
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task Dispose_leaves_no_namespace_no_link_and_no_process_behind()
    {
        AssertAvailable();
        var lab = LabNetwork.Create(hosts: 2);
        string networkPrefix = lab.BridgeName[..^1]; // rlabK: every name of this network begins so
        ChildProcess daemon;
        try
        {
            daemon = StartDaemon(lab.Hosts[0]);
            await ListeningEndpointAsync(daemon);
            Assert.Contains(daemon.Id, NamespacePids(lab.Hosts[0].Namespace));
            Assert.Contains(lab.BridgeName, Links());
            Assert.Equal(lab.Hosts.Select(h => h.Namespace).Order(), Namespaces().Where(ns => ns.StartsWith(networkPrefix + "n", StringComparison.Ordinal)).Order());
        }
        finally
        {
            lab.Dispose();
        }

        Assert.True(daemon.WaitForExit(Eventually.Generous), "the daemon inside the namespace still runs");
        daemon.Dispose();
        Assert.DoesNotContain(Namespaces(), ns => ns.StartsWith(networkPrefix + "n", StringComparison.Ordinal));
        Assert.DoesNotContain(Links(), link => link.StartsWith(networkPrefix, StringComparison.Ordinal)
            && (link.Length == networkPrefix.Length + 1 || char.IsDigit(link[networkPrefix.Length + 1])));
        lab.Dispose(); // a second time finds nothing, and does not throw
    }

    [Fact]
    public void Two_networks_at_once_get_different_subnets_and_names()
    {
        AssertAvailable();
        using var first = LabNetwork.Create(hosts: 1);
        using var second = LabNetwork.Create(hosts: 1);

        Assert.NotEqual(Subnet(first.BridgeAddress), Subnet(second.BridgeAddress));
        Assert.NotEqual(first.BridgeName, second.BridgeName);
        Assert.NotEqual(first.Hosts[0].Namespace, second.Hosts[0].Namespace);
        foreach (var lab in new[] { first, second })
        {
            Assert.Equal(Subnet(lab.BridgeAddress), Subnet(lab.Hosts[0].Address));
            Assert.True(IPNetwork.Parse("198.18.0.0/15").Contains(lab.BridgeAddress), lab.BridgeAddress.ToString());
            Assert.True(lab.BridgeName.Length <= 15 && lab.Hosts[0].Namespace.Length <= 15);
        }
    }

    private static void AssertAvailable()
    {
        string? why = LabNetwork.Unavailable();
        Assert.True(why is null, why);
    }

    private static ChildProcess StartDaemon(LabHost host) =>
        ChildProcess.Start(InNamespace(host, "RemoteLogin.Server", "--listen", $"{host.Address}:0"));

    /// <summary>One of our programs, started inside the host's namespace as ChildStart.Sibling would start it here.</summary>
    private static ChildStart InNamespace(LabHost host, string program, params string[] arguments) =>
        LabNetwork.InNamespace(host.Namespace, ChildStart.Sibling(program, arguments));

    private static async Task<IPEndPoint> ListeningEndpointAsync(ChildProcess daemon)
    {
        string? line = await daemon.ReadLineAsync(Eventually.Generous);
        var match = Listening().Match(line ?? "");
        Assert.True(match.Success, $"the daemon said \"{line}\", stderr: {(daemon.HasExited ? daemon.StandardError : "")}");
        return IPEndPoint.Parse(match.Groups[1].Value);
    }

    private static List<int> NamespacePids(string ns) =>
        [.. Command("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];

    private static List<string> Namespaces() =>
        [.. Command("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0])];

    /// <summary>Every link's name in the root namespace ("rlab3v0@if2" is rlab3v0).</summary>
    private static List<string> Links() =>
        [.. Command("ip", "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(':').Split('@')[0])];

    private static string Command(params string[] command)
    {
        var run = ChildRun.Run(ChildStart.Stock(command[0], command[1..]), limit: Eventually.Generous);
        Assert.True(run.Succeeded, run.Failure);
        return run.StandardOutput;
    }

    private static string Subnet(IPAddress address) => string.Join('.', address.GetAddressBytes()[..3]);

    [GeneratedRegex(@"^listening on (\S+)$")]
    private static partial Regex Listening();
}
