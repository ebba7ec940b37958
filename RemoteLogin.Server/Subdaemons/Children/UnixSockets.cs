using System.Net.Sockets;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>
/// Unix domain sockets in Linux's abstract namespace: no file to clean up, gone with the last descriptor. Abstract
/// names have no permissions and anyone can list them (/proc/net/unix), so a name is random (nobody can bind it
/// first), a listener takes only the process it waits for (SO_PEERCRED) and discards the rest, and every wait has an end.
/// </summary>
internal static class UnixSockets
{
    /// <summary>Room for connections a local stranger makes to a listed name, ahead of the one awaited.</summary>
    private const int Backlog = 64;

    private static readonly TimeSpan PairTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A fresh name nobody can guess or bind before this daemon does; pass it to <see cref="EndPoint"/> on either side.</summary>
    /// <remarks>
    /// A version 4 GUID is 122 bits from the kernel's random source through the runtime's own native shim; a
    /// RandomNumberGenerator would do as well but loads OpenSSL on first use, 5 MB of the daemon's memory for 16 bytes.
    /// </remarks>
    public static string NewName() => $"remotelogin/{Guid.NewGuid():N}";

    public static UnixDomainSocketEndPoint EndPoint(string name) => new("\0" + name);

    public static Socket NewSocket() => new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public static Socket Listen(string name)
    {
        var listener = NewSocket();
        try
        {
            listener.Bind(EndPoint(name));
            listener.Listen(Backlog);
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

    /// <summary>The first connection from process <paramref name="processId"/>; any other process's is closed unanswered.</summary>
    public static async Task<Socket> AcceptFromAsync(Socket listener, int processId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var accepted = await listener.AcceptAsync(cancellationToken);
            if (PeerProcessId(accepted) == processId)
            {
                return accepted;
            }
            accepted.Dispose();
        }
    }

    /// <summary>Two connected stream sockets, as socketpair(2) gives, made with the API .NET has, within a deadline.</summary>
    public static async Task<(Socket First, Socket Second)> PairAsync()
    {
        string name = NewName();
        using var listener = Listen(name);
        using var deadline = new CancellationTokenSource(PairTimeout);
        var first = NewSocket();
        try
        {
            var accepted = AcceptFromAsync(listener, Environment.ProcessId, deadline.Token);
            await first.ConnectAsync(EndPoint(name), deadline.Token);
            return (first, await accepted);
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }
}
