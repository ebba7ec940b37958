using System.Net;
using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// Every socket a floor measures over, set up one way whichever arrangement it is in (both halves in one process over
/// loopback, or each half in a process of its own on its own host): a floor across two hosts compares with one over
/// loopback only if nothing but the path differs.
/// </summary>
internal static class FloorSockets
{
    /// <summary>
    /// TCP_NODELAY, so a one-byte write leaves at once as the daemon's do, and blocking unless the kind spins. Applied
    /// once connected: a connect and an accept are always blocking, whatever the kind.
    /// </summary>
    public static void Prepare(Socket socket, FloorKind kind)
    {
        socket.NoDelay = true;
        socket.Blocking = kind != FloorKind.Spin;
    }

    /// <summary>
    /// Both halves in this process over loopback: the echo on a thread of its own, the ping on this one, which returns
    /// the figure once the echo has seen the end.
    /// </summary>
    public static T BothHalves<T>(FloorKind kind, string echoName, Action<Socket> echo, Func<Socket, T> ping)
    {
        using var pair = RemoteLogin.Sockets.LoopbackConnection.Open();
        Prepare(pair.Client, kind);
        Prepare(pair.Server, kind);
        var echoing = new Thread(() => echo(pair.Server)) { IsBackground = true, Name = echoName };
        echoing.Start();
        var figure = ping(pair.Client);
        echoing.Join();
        return figure;
    }

    /// <summary>A listener for exactly one floor connection: a backlog of one, closed by the caller once it accepted.</summary>
    public static Socket Listen(IPEndPoint endpoint)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endpoint);
            listener.Listen(1);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>The one connection, prepared; null when none came within <paramref name="wait"/>.</summary>
    public static Socket? AcceptOne(Socket listener, FloorKind kind, TimeSpan wait)
    {
        if (!listener.Poll(wait, SelectMode.SelectRead))
        {
            return null;
        }
        var socket = listener.Accept();
        Prepare(socket, kind);
        return socket;
    }

    public static Socket Connect(IPEndPoint endpoint, FloorKind kind)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(endpoint);
            Prepare(socket, kind);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
