using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// The throughput floor a paste is compared with: a blocking echo of 64 KB reads, one thread writing 64 KB blocks, the
/// echo sending back whatever each receive returned, and the measuring thread reading it all back. A paste through any
/// strategy moves the same bytes over the same path, plus the strategy's own work. <see cref="Echo"/> and
/// <see cref="Ping"/> are the two halves, run as threads of one process over loopback by <see cref="Measure"/>, or in
/// two processes on two hosts by <see cref="SplitFloor"/>.
/// </summary>
internal static class StreamFloor
{
    public const int BlockSize = 64 * 1024;

    public const long DefaultWarmupBytes = 16 * BlockSize;

    /// <summary>Both halves in this process, over loopback.</summary>
    public static double Measure(long bytes, FloorPins pins, long warmupBytes = DefaultWarmupBytes)
        => FloorSockets.BothHalves(FloorKind.Stream, "floor stream echo", socket => Echo(socket, pins.EchoCpu), socket => Ping(socket, bytes, pins.PingCpu, warmupBytes));

    /// <summary>The echo half, on this thread: whatever each 64 KB receive returned, sent back, until the writer's end.</summary>
    public static void Echo(Socket socket, int? cpu)
    {
        FloorPins.Pin(cpu);
        var block = new byte[BlockSize];
        int received;
        while ((received = socket.Receive(block)) > 0)
        {
            socket.Send(block.AsSpan(0, received));
        }
    }

    /// <summary>
    /// The measuring half: a writer thread and this one, both on <paramref name="cpu"/>. Characters per second over
    /// <paramref name="bytes"/> echoed, after <paramref name="warmupBytes"/> not timed; then the end of its sending side,
    /// which is what ends the echo.
    /// </summary>
    public static double Ping(Socket socket, long bytes, int? cpu, long warmupBytes = DefaultWarmupBytes)
    {
        long total = warmupBytes + bytes;
        var writer = new Thread(() =>
        {
            FloorPins.Pin(cpu);
            var block = new byte[BlockSize];
            try
            {
                for (long left = total; left > 0; left -= BlockSize)
                {
                    socket.Send(block.AsSpan(0, (int)Math.Min(left, BlockSize)));
                }
            }
            catch (SocketException)
            {
                // The connection broke (the echo is gone): the reading thread meets the same break and reports it,
                // rather than this thread taking the whole process down with an unhandled exception.
            }
        }) { IsBackground = true, Name = "floor stream writer" };
        writer.Start();

        FloorPins.Pin(cpu);
        var buffer = new byte[BlockSize];
        long read = 0, started = 0;
        while (read < total)
        {
            int received = socket.Receive(buffer);
            if (received == 0)
            {
                throw new IOException("the floor's stream echo closed the connection early");
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
        writer.Join();
        socket.Shutdown(SocketShutdown.Send);
        return Math.Round(read / seconds, 0);
    }
}
