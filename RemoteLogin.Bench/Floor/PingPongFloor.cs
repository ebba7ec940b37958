using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Sockets;
using RemoteLogin.Measurement;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// The round-trip floors: a one-byte ping-pong, plain synchronous socket calls and nothing else in between.
/// <see cref="FloorKind.Blocking"/> sleeps in every receive, so each round trip pays two wake-ups;
/// <see cref="FloorKind.Spin"/> polls non-blocking sockets on both ends and never sleeps, so it pays none, and shows what
/// a configuration that keeps a CPU awake can reach. <see cref="Echo"/> and <see cref="Ping"/> are the two halves, run
/// as two threads of one process over loopback by <see cref="Measure"/>, or in two processes on two hosts by
/// <see cref="SplitFloor"/>.
/// </summary>
internal static class PingPongFloor
{
    public const int DefaultWarmup = 1_000;

    /// <summary>Both halves in this process, over loopback.</summary>
    public static LatencySummary Measure(FloorKind kind, int roundTrips, FloorPins pins, int warmup = DefaultWarmup)
        => FloorSockets.BothHalves(kind, "floor echo", socket => Echo(socket, pins.EchoCpu), socket => Ping(socket, roundTrips, pins.PingCpu, warmup));

    /// <summary>The echo half, on this thread: every byte straight back, until the ping's end of the connection.</summary>
    public static void Echo(Socket socket, int? cpu)
    {
        FloorPins.Pin(cpu);
        Span<byte> one = stackalloc byte[1];
        while (Receive(socket, one) == 1)
        {
            socket.Send(one);
        }
    }

    /// <summary>
    /// The measuring half, on this thread: <paramref name="warmup"/> round trips not timed, then
    /// <paramref name="roundTrips"/> timed, then the end of its sending side, which is what ends the echo.
    /// </summary>
    public static LatencySummary Ping(Socket socket, int roundTrips, int? cpu, int warmup = DefaultWarmup)
    {
        FloorPins.Pin(cpu);
        var histogram = Latency.NewHistogram();
        Span<byte> ping = [0x2A];
        for (int i = 0; i < warmup + roundTrips; i++)
        {
            long sent = Stopwatch.GetTimestamp();
            socket.Send(ping);
            if (Receive(socket, ping) != 1)
            {
                throw new IOException("the floor's echo closed the connection early");
            }
            if (i >= warmup)
            {
                histogram.RecordBetween(sent, Stopwatch.GetTimestamp());
            }
        }
        socket.Shutdown(SocketShutdown.Send);
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
