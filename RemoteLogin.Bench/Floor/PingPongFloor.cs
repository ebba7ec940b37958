using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Measurement;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// The floor every run is compared with: a blocking one-byte ping-pong over loopback, plain synchronous sockets
/// with TCP_NODELAY, client and echo on two threads of this process and nothing else in between.
/// </summary>
public static class PingPongFloor
{
    public static LatencySummary Measure(int roundTrips, int warmup = 1_000)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var echo = new Thread(() =>
        {
            using var connection = listener.Accept();
            connection.NoDelay = true;
            Span<byte> one = stackalloc byte[1];
            while (connection.Receive(one) == 1)
            {
                connection.Send(one);
            }
        }) { IsBackground = true, Name = "floor echo" };
        echo.Start();

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        var histogram = Latency.NewHistogram();
        Span<byte> ping = [0x2A];
        for (int i = 0; i < warmup + roundTrips; i++)
        {
            long sent = Stopwatch.GetTimestamp();
            client.Send(ping);
            if (client.Receive(ping) != 1)
            {
                throw new IOException("the floor's echo thread closed early");
            }
            if (i >= warmup)
            {
                histogram.RecordBetween(sent, Stopwatch.GetTimestamp());
            }
        }
        client.Shutdown(SocketShutdown.Send);
        echo.Join();
        return LatencySummary.From(histogram);
    }
}
