using RemoteLogin.Native;

namespace RemoteLogin.Bench.Floor;

/// <summary>Where a floor's two threads run: the CPUs the placement gives the client (ping) and the daemon (echo), or anywhere.</summary>
internal sealed record FloorPins(int? PingCpu, int? EchoCpu)
{
    public static FloorPins None { get; } = new(null, null);

    public static void Pin(int? cpu)
    {
        if (cpu is { } chosen)
        {
            ThreadAffinity.PinCurrentThread(chosen);
        }
    }
}
