using Microsoft.Win32.SafeHandles;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// Keeps the CPUs out of idle states deeper than polling while the bench runs, under <see cref="CpuIdle.Poll"/>: a
/// wake-up from a deep state pays its exit latency on the very round trip being measured. It writes a PM QoS
/// latency request of 0 µs to /dev/cpu_dma_latency; the kernel honours the request as long as the descriptor is
/// open, so the hold lasts until <see cref="Dispose"/> (or the bench's exit, whichever is first).
/// </summary>
internal sealed class CpuIdleHold : IDisposable
{
    public const string Device = "/dev/cpu_dma_latency";

    private readonly SafeFileHandle? _request;

    private CpuIdleHold(SafeFileHandle? request, string status)
    {
        _request = request;
        Status = status;
    }

    /// <summary>What holds, for the environment: "default", "poll: … held at 0 µs", or "poll requested, not permitted: why".</summary>
    public string Status { get; }

    /// <summary>True while the 0 µs request is in force.</summary>
    public bool Holding => _request is { IsClosed: false };

    /// <summary>
    /// Under <see cref="CpuIdle.Poll"/> opens the device and writes the request; one that cannot be had (not root,
    /// no such device) is a <see cref="Status"/> that says why, not an exception: the bench still runs, and says so.
    /// </summary>
    /// <param name="device">The PM QoS device; a test names a missing one.</param>
    public static CpuIdleHold Acquire(CpuIdle mode, string device = Device)
    {
        if (mode == CpuIdle.Default)
        {
            return new CpuIdleHold(null, "default");
        }
        SafeFileHandle? request = null;
        try
        {
            request = File.OpenHandle(device, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            // The request is a binary s32 in microseconds; the device is not seekable, so the offset is not used.
            RandomAccess.Write(request, stackalloc byte[sizeof(int)], fileOffset: 0);
            return new CpuIdleHold(request, $"poll: {device} held at 0 µs");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            request?.Dispose();
            return new CpuIdleHold(null, $"poll requested, not permitted: {e.Message}");
        }
    }

    /// <summary>Closing the descriptor withdraws the request: the idle governor may use every state again.</summary>
    public void Dispose() => _request?.Dispose();
}
