using System.Net;
using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// One half of a floor in this process, the other half in a process of its own, on another host in a two-host run.
/// The halves are <see cref="PingPongFloor"/>'s and <see cref="StreamFloor"/>'s own, over sockets set up as
/// <see cref="FloorSockets"/> sets up the one-process floor's: what differs is the path, nothing else. Failures are
/// <see cref="IOException"/>s whose message names the floor and the half, for the command to print as its one line.
/// </summary>
internal static class SplitFloor
{
    /// <summary>How long an echo waits for its one connection before it gives up, so it never lingers on a lab host.</summary>
    public static readonly TimeSpan DefaultConnectionWait = TimeSpan.FromMinutes(2);

    public const string ListeningPrefix = "listening on ";

    /// <summary>
    /// Bind <paramref name="listen"/>, write "listening on ADDRESS:PORT" to <paramref name="announce"/>, serve exactly
    /// one connection with the kind's echo half, and return once the ping has ended it.
    /// </summary>
    public static void Echo(FloorKind kind, IPEndPoint listen, int? cpu, TextWriter announce, TimeSpan connectionWait)
    {
        string half = $"the {kind.Name()} floor's echo";
        Socket? connection;
        IPEndPoint bound;
        try
        {
            using var listener = FloorSockets.Listen(listen);
            bound = (IPEndPoint)listener.LocalEndPoint!;
            announce.WriteLine($"{ListeningPrefix}{bound}");
            announce.Flush();
            connection = FloorSockets.AcceptOne(listener, kind, connectionWait);
            // The listener closes here: a second connection is refused, not queued behind the one being measured.
        }
        catch (SocketException e)
        {
            throw new IOException($"{half} cannot listen on {listen}: {e.Message}", e);
        }
        if (connection is null)
        {
            throw new IOException($"{half} got no connection on {bound} within {connectionWait.TotalSeconds:0} s; giving up");
        }
        using (connection)
        {
            try
            {
                if (kind == FloorKind.Stream)
                {
                    StreamFloor.Echo(connection, cpu);
                }
                else
                {
                    PingPongFloor.Echo(connection, cpu);
                }
            }
            catch (SocketException e)
            {
                throw new IOException($"{half} lost its connection from {connection.RemoteEndPoint}: {e.Message}", e);
            }
        }
    }

    /// <summary>Connect to the echo at <paramref name="echo"/> and measure.</summary>
    /// <param name="size">Round trips for a ping-pong floor, bytes for the stream floor.</param>
    public static FloorMeasurement Ping(FloorKind kind, IPEndPoint echo, long size, int? cpu)
    {
        string half = $"the {kind.Name()} floor's ping";
        Socket connection;
        try
        {
            connection = FloorSockets.Connect(echo, kind);
        }
        catch (SocketException e)
        {
            throw new IOException($"{half} cannot connect to the echo at {echo}: {e.Message}", e);
        }
        using (connection)
        {
            try
            {
                return kind == FloorKind.Stream
                    ? new FloorMeasurement(kind, null, StreamFloor.Ping(connection, size, cpu))
                    : new FloorMeasurement(kind, PingPongFloor.Ping(connection, checked((int)size), cpu), null);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                throw new IOException($"{half} lost its connection to the echo at {echo}: {e.Message}", e);
            }
        }
    }
}
