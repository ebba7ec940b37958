using System.Net.Sockets;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>Unix domain sockets in Linux's abstract namespace: no file to clean up, gone with the last descriptor.</summary>
internal static class UnixSockets
{
    private static long s_next;

    /// <summary>A fresh name, unique to this daemon; pass it to <see cref="EndPoint"/> on either side.</summary>
    public static string NewName() => $"remotelogin/{Environment.ProcessId}/{Interlocked.Increment(ref s_next)}";

    public static UnixDomainSocketEndPoint EndPoint(string name) => new("\0" + name);

    public static Socket NewSocket() => new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public static Socket Listen(string name)
    {
        var listener = NewSocket();
        try
        {
            listener.Bind(EndPoint(name));
            listener.Listen(1);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The process at the other end (SO_PEERCRED): abstract names have no permissions, so whoever connects is checked
    /// before anything is handed to it.
    /// </summary>
    public static int PeerProcessId(Socket socket)
    {
        const int SOL_SOCKET = 1, SO_PEERCRED = 17;
        Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
        socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, credentials);
        return BitConverter.ToInt32(credentials);
    }

    /// <summary>Two connected stream sockets, as socketpair(2) gives, made with the API .NET has.</summary>
    public static (Socket First, Socket Second) Pair()
    {
        string name = NewName();
        using var listener = Listen(name);
        var first = NewSocket();
        try
        {
            first.Connect(EndPoint(name));
            var second = listener.Accept();
            if (PeerProcessId(second) != Environment.ProcessId)
            {
                second.Dispose();
                throw new SocketException((int)SocketError.AccessDenied); // someone else raced to the name
            }
            return (first, second);
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }
}
