using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Measurement;
using RemoteLogin.Tests.Support;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Hosts;

/// <summary>The daemon host's counters, read around real TCP traffic over a veth pair into a namespace the test makes.</summary>
public sealed class HostSystemCountersTests : IDisposable
{
    private const int Echoes = 200;

    private readonly VethNamespace _network = new();

    public void Dispose() => _network.Dispose();

    [Fact]
    public async Task Counters_grow_by_the_traffic_that_crosses_the_interface()
    {
        _network.ThrottleRootEnd();
        using var daemon = ChildProcess.Start(_network.InNamespace("RemoteLogin.Server", "--listen", $"{_network.InnerAddress}:0"));
        var endpoint = await ListeningEndpoint(daemon);
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(endpoint);

        var start = HostSystemCounters.Capture(_network.RootEnd);
        // One byte at a time, each echo awaited: at least one packet out and one back per byte.
        for (int i = 0; i < Echoes; i++)
        {
            await EchoClient.AssertEchoesAsync(client, [(byte)('a' + i % 26)]);
        }
        // A burst the token bucket must hold back, so that NET_TX runs.
        var burst = new byte[64 * 1024];
        Array.Fill(burst, (byte)'z');
        await client.SendAsync(burst);
        Assert.Equal(burst, await EchoClient.ReceiveExactlyAsync(client, burst.Length));
        var cost = HostSystemCounters.Capture(_network.RootEnd) - start;

        Assert.True(cost.TxPackets >= Echoes, $"tx packets {cost.TxPackets}");
        Assert.True(cost.RxPackets >= Echoes, $"rx packets {cost.RxPackets}");
        Assert.True(cost.NetRxSoftirqs > 0, $"NET_RX {cost.NetRxSoftirqs}");
        Assert.True(cost.NetTxSoftirqs > 0, $"NET_TX {cost.NetTxSoftirqs}");
        Assert.True(cost.ContextSwitches > 0 && cost.Interrupts > 0, cost.ToString());
        Assert.Null(cost.NicInterrupts); // a veth has no interrupt line: unknown, not zero
    }

    [Fact]
    public void Loopback_has_packets_but_no_interrupt_line()
    {
        var lo = HostSystemCounters.Capture("lo");
        Assert.Null(lo.NicInterrupts);
        Assert.NotNull(lo.RxPackets);
        Assert.NotNull(lo.TxPackets);
        Assert.Null(NicInterruptLines.Find("lo"));
        Assert.Null(NicInterruptLines.Find(_network.RootEnd));
    }

    [Fact]
    public void Without_an_interface_only_the_machine_counters_are_read()
    {
        var machine = HostSystemCounters.Capture(null);
        Assert.Null(machine.NicInterrupts);
        Assert.Null(machine.RxPackets);
        Assert.Null(machine.TxPackets);
        Assert.True(machine.ContextSwitches > 0 && machine.NetRxSoftirqs > 0, machine.ToString());
    }

    [Fact]
    public void An_interface_that_does_not_exist_is_an_error_at_capture()
    {
        Assert.Throws<ArgumentException>(() => HostSystemCounters.Capture("rlh-absent0"));
    }

    [Fact]
    public void Nic_lines_come_from_msi_vectors_when_the_device_lists_them()
    {
        using var tree = new ScratchDirectory("nic-lines");
        WriteInterrupts(tree.Path,
            " 30:   5   6   PCI-MSIX-0000:03:00.0   0-edge   eth7-TxRx-0",
            " 31:   7   8   PCI-MSIX-0000:03:00.0   1-edge   eth7-TxRx-1",
            " 32:  100  0   PCI-MSIX-0000:03:00.0   2-edge   something-else");
        string device = Path.Combine(tree.Path, "pci", "0000:03:00.0");
        Directory.CreateDirectory(Path.Combine(device, "msi_irqs", "31"));
        Directory.CreateDirectory(Path.Combine(device, "msi_irqs", "32"));
        LinkDevice(tree.Path, "eth7", device);

        // The device's own vectors win over the names, even where a name says otherwise.
        var lines = NicInterruptLines.Find("eth7", tree.Path);
        Assert.Equal([31, 32], lines);
        Assert.Equal(7 + 8 + 100, NicInterruptLines.Count(lines!, tree.Path));
    }

    [Fact]
    public void Nic_lines_of_a_virtio_device_are_found_by_its_name_and_no_other()
    {
        using var tree = new ScratchDirectory("nic-lines");
        WriteInterrupts(tree.Path,
            " 37:   0     0   PCI-MSIX-0000:00:03.0   0-edge   virtio2-config",
            " 38:   1  2849   PCI-MSIX-0000:00:03.0   1-edge   virtio2-input.0",
            " 39: 2484    3   PCI-MSIX-0000:00:03.0   2-edge   virtio2-output.0",
            " 40:  50    50   PCI-MSIX-0000:00:09.0   1-edge   virtio20-input.0",
            " 41:  60    60   PCI-MSIX-0000:00:04.0   1-edge   virtio3-rx",
            "NMI:   0     0   Non-maskable interrupts");
        string device = Path.Combine(tree.Path, "devices", "pci0000:00", "0000:00:03.0", "virtio2");
        Directory.CreateDirectory(device);
        LinkDevice(tree.Path, "eth0", device);

        var lines = NicInterruptLines.Find("eth0", tree.Path);
        Assert.Equal([37, 38, 39], lines);
        Assert.Equal(1 + 2849 + 2484 + 3, NicInterruptLines.Count(lines!, tree.Path));
    }

    private static void WriteInterrupts(string root, params string[] lines)
    {
        Directory.CreateDirectory(Path.Combine(root, "proc"));
        File.WriteAllLines(Path.Combine(root, "proc", "interrupts"), ["           CPU0       CPU1", .. lines]);
    }

    private static void LinkDevice(string root, string interfaceName, string device)
    {
        string net = Path.Combine(root, "sys", "class", "net", interfaceName);
        Directory.CreateDirectory(net);
        File.CreateSymbolicLink(Path.Combine(net, "device"), Path.GetRelativePath(net, device));
    }

    private static async Task<IPEndPoint> ListeningEndpoint(ChildProcess daemon)
    {
        string? first = await daemon.ReadLineAsync(EchoClient.SafetyLimit);
        Assert.NotNull(first);
        Assert.StartsWith("listening on ", first);
        return IPEndPoint.Parse(first["listening on ".Length..].Trim());
    }
}
