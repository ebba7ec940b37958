using System.Net;
using System.Text.Json;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Results;

namespace RemoteLogin.Tests.Hosts;

/// <summary>The daemon host's network context, read from real interfaces: lo, and a veth pair the test makes.</summary>
public sealed class NetworkContextTests : IDisposable
{
    private readonly VethNamespace _network = new();

    public void Dispose() => _network.Dispose();

    [Fact]
    public void Loopback_has_its_mtu_offloads_and_sysctls_and_says_why_it_has_no_driver_or_interrupts()
    {
        var context = NetworkContext.For(IPAddress.Loopback);

        Assert.Equal("lo", context.Interface);
        Assert.Equal(int.Parse(File.ReadAllText("/sys/class/net/lo/mtu").Trim()), context.Mtu);
        Assert.Equal(NetworkContext.LatencySysctls.Order(StringComparer.Ordinal), context.Sysctls.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in context.Sysctls)
        {
            Assert.Equal(File.ReadAllText("/proc/sys/" + name.Replace('.', '/')).Trim(), value);
        }
        Assert.NotNull(context.Offloads);
        Assert.Equal("on [fixed]", context.Offloads["rx-checksumming"]); // lo's checksum is never computed; "[fixed]" kept
        Assert.Null(context.Irqs);
        Assert.Contains("no hardware interrupt", context.Unavailable["irqs"]);
        Assert.Null(context.Driver); // lo answers ethtool -i with "Operation not supported"
        Assert.Contains("Operation not supported", context.Unavailable["driver"]);
        Assert.Equal("lo", NetworkContext.InterfaceFor(IPAddress.Parse("127.0.0.2")));
    }

    [Fact]
    public void A_veth_end_names_its_driver_and_keeps_why_coalescing_is_unavailable()
    {
        var context = NetworkContext.For(_network.RootAddress);

        Assert.Equal(_network.RootEnd, context.Interface);
        Assert.Equal(_network.RootEnd, NetworkContext.InterfaceFor(_network.RootAddress));
        Assert.Equal("veth", context.Driver);
        Assert.NotNull(context.DriverVersion);
        Assert.Null(context.Coalescing);
        Assert.Contains("Operation not supported", context.Unavailable["coalescing"]);
        Assert.StartsWith($"ethtool -c {_network.RootEnd}: ", context.Unavailable["coalescing"]);
        Assert.NotNull(context.Offloads);
        Assert.Contains(context.Offloads, feature => feature.Value.EndsWith("[fixed]", StringComparison.Ordinal));
        Assert.All(context.Offloads.Values, value => Assert.Matches("^(on|off)( \\[.+\\])?$", value));
        Assert.Null(context.Irqs);
        Assert.NotNull(context.Rps);
        Assert.Equal(File.ReadAllText($"/sys/class/net/{_network.RootEnd}/queues/rx-0/rps_cpus").Trim(), context.Rps["rx-0"]);
        Assert.Equal(1500, context.Mtu);
    }

    [Fact]
    public void An_address_no_interface_holds_gives_a_context_that_says_so()
    {
        var nowhere = IPAddress.Parse("198.18.251.77");

        Assert.Null(NetworkContext.InterfaceFor(nowhere));
        var context = NetworkContext.For(nowhere);
        Assert.Equal("198.18.251.77", context.Address);
        Assert.Null(context.Interface);
        Assert.Null(context.Driver);
        Assert.Null(context.Mtu);
        Assert.Null(context.Offloads);
        Assert.Equal("no interface on this host holds 198.18.251.77", context.Unavailable["interface"]);
        Assert.Equal(3, context.Sysctls.Count); // the host's sysctls hold whatever the address
    }

    [Fact]
    public void Results_json_carries_it_camelCase_with_the_kernel_spellings_of_names_kept()
    {
        var context = NetworkContext.For(_network.RootAddress);

        using var json = JsonDocument.Parse(ResultsJson.Serialize(context));
        var root = json.RootElement;
        Assert.Equal(_network.RootEnd, root.GetProperty("interface").GetString());
        Assert.Equal("veth", root.GetProperty("driver").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("coalescing").ValueKind);
        Assert.True(root.GetProperty("rps").TryGetProperty("rx-0", out _));
        Assert.True(root.GetProperty("sysctls").TryGetProperty("net.core.busy_poll", out _));
        Assert.True(root.GetProperty("unavailable").TryGetProperty("coalescing", out _));

        // The companion writes it on the daemon's host and the bench reads it back.
        var back = ResultsJson.Deserialize<NetworkContext>(ResultsJson.Serialize(context));
        Assert.Equal(context.Interface, back.Interface);
        Assert.Equal(context.Offloads, back.Offloads);
        Assert.Equal(context.Unavailable, back.Unavailable);
    }
}
