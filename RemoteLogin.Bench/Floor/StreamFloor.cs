using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Sockets;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// The throughput floor a paste is compared with: a blocking echo of 64 KB reads over loopback, one thread writing
/// 64 KB blocks, the echo thread sending back whatever each receive returned, and this thread reading it all back.
/// A paste through any strategy moves the same bytes over the same path, plus the strategy's own work.
/// </summary>
public static class StreamFloor
{
    public const int BlockSize = 64 * 1024;

    /// <summary>Characters per second over <paramref name="bytes"/> echoed, after <paramref name="warmupBytes"/> not timed.</summary>
    public static double Measure(long bytes, FloorPins pins, long warmupBytes = 16 * BlockSize)
    {
        using var pair = LoopbackConnection.Open();
        long total = warmupBytes + bytes;
        var echo = new Thread(() =>
        {
            FloorPins.Pin(pins.EchoCpu);
            var block = new byte[BlockSize];
            int received;
            while ((received = pair.Server.Receive(block)) > 0)
            {
                pair.Server.Send(block.AsSpan(0, received));
            }
        }) { IsBackground = true, Name = "floor stream echo" };
        var writer = new Thread(() =>
        {
            FloorPins.Pin(pins.PingCpu);
            var block = new byte[BlockSize];
            for (long left = total; left > 0; left -= BlockSize)
            {
                pair.Client.Send(block.AsSpan(0, (int)Math.Min(left, BlockSize)));
            }
        }) { IsBackground = true, Name = "floor stream writer" };
        echo.Start();
        writer.Start();

        FloorPins.Pin(pins.PingCpu);
        var buffer = new byte[BlockSize];
        long read = 0, started = 0;
        while (read < total)
        {
            int received = pair.Client.Receive(buffer);
            if (received == 0)
            {
                throw new IOException("the floor's stream echo closed early");
            }
            read += received;
            if (started == 0 && read >= warmupBytes)
            {
                started = Stopwatch.GetTimestamp();
                read -= warmupBytes; // count from here: what came back beyond the warm-up is timed
                total -= warmupBytes;
            }
        }
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        pair.Client.Shutdown(SocketShutdown.Send);
        writer.Join();
        echo.Join();
        return Math.Round(read / seconds, 0);
    }
}
