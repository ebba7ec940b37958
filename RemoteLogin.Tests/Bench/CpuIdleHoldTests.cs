using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// --cpu-idle poll holds /dev/cpu_dma_latency open for as long as the hold lives. The kernel shows the request
/// nowhere in /proc, so the tests look at this process's own descriptors.
/// </summary>
public class CpuIdleHoldTests
{
    [Fact]
    public void Poll_keeps_the_latency_device_open_until_disposed()
    {
        if (!Environment.IsPrivilegedProcess || !File.Exists(CpuIdleHold.Device))
        {
            // Not root, or no PM QoS device: the hold must say it is not in force.
            using var refused = CpuIdleHold.Acquire(CpuIdle.Poll);
            Assert.StartsWith("poll requested, not permitted: ", refused.Status);
            Assert.False(refused.Holding);
            return;
        }
        var hold = CpuIdleHold.Acquire(CpuIdle.Poll);
        try
        {
            Assert.Equal("poll: /dev/cpu_dma_latency held at 0 µs", hold.Status);
            Assert.True(hold.Holding);
            Assert.True(DeviceOpen(), "no descriptor of this process leads to /dev/cpu_dma_latency");
        }
        finally
        {
            hold.Dispose();
        }
        Assert.False(hold.Holding);
        Assert.False(DeviceOpen(), "the descriptor outlived the hold");
    }

    [Fact]
    public void A_missing_device_is_a_status_that_says_why_not_an_exception()
    {
        string missing = Path.Combine(Path.GetTempPath(), "remotelogin-" + Guid.NewGuid().ToString("N"), "cpu_dma_latency");
        using var hold = CpuIdleHold.Acquire(CpuIdle.Poll, missing);
        Assert.StartsWith("poll requested, not permitted: ", hold.Status);
        Assert.Contains(missing, hold.Status);
        Assert.False(hold.Holding);
    }

    [Fact]
    public void Default_holds_nothing()
    {
        using var hold = CpuIdleHold.Acquire(CpuIdle.Default);
        Assert.Equal("default", hold.Status);
        Assert.False(hold.Holding);
        Assert.False(DeviceOpen());
    }

    private static bool DeviceOpen() =>
        ProcFs.Descriptors(Environment.ProcessId).Any(d => d.Target == CpuIdleHold.Device);
}
