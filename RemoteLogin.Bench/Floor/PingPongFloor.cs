using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Sockets;
using RemoteLogin.Measurement;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// The round-trip floors: a one-byte ping-pong over loopback between two threads of this process, plain synchronous
/// socket calls and nothing else in between. <see cref="FloorKind.Blocking"/> sleeps in every receive, so each round
/// trip pays two wake-ups; <see cref="FloorKind.Spin"/> polls non-blocking sockets on both ends and never sleeps, so it
/// pays none, and shows what a configuration that keeps a CPU awake can reach.
/// </summary>
public static class PingPongFloor
{
    public static LatencySummary Measure(FloorKind kind, int roundTrips, FloorPins pins, int warmup = 1_000)
    {
        bool spin = kind == FloorKind.Spin;
        using var pair = LoopbackConnection.Open();
        pair.Client.Blocking = !spin;
        pair.Server.Blocking = !spin;
        var echo = new Thread(() =>
        {
            FloorPins.Pin(pins.EchoCpu);
            Span<byte> one = stackalloc byte[1];
            while (Receive(pair.Server, one) == 1)
            {
                pair.Server.Send(one);
            }
        }) { IsBackground = true, Name = "floor echo" };
        echo.Start();

        FloorPins.Pin(pins.PingCpu);
        var histogram = Latency.NewHistogram();
        Span<byte> ping = [0x2A];
        for (int i = 0; i < warmup + roundTrips; i++)
        {
            long sent = Stopwatch.GetTimestamp();
            pair.Client.Send(ping);
            if (Receive(pair.Client, ping) != 1)
            {
                throw new IOException("the floor's echo thread closed early");
            }
            if (i >= warmup)
            {
                histogram.RecordBetween(sent, Stopwatch.GetTimestamp());
            }
        }
        pair.Client.Shutdown(SocketShutdown.Send);
        echo.Join();
        return LatencySummary.From(histogram);
    }

    /// <summary>One receive: blocking, or polled until a byte (or the end) is there without ever yielding the CPU.</summary>
    private static int Receive(Socket socket, Span<byte> buffer)
    {
        while (true)
        {
            int received = socket.Receive(buffer, SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                return received;
            }
            if (error != SocketError.WouldBlock)
            {
                throw new SocketException((int)error);
            }
        }
    }
}
