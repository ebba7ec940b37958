using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RemoteLogin.Server.Native;

/// <summary>
/// A session's descriptor outlives the Socket object that opened it: the daemon runs the protocol's opening with
/// async calls, then hands the connection to a blocking thread or, by SCM_RIGHTS, to a child. Async calls leave
/// O_NONBLOCK set, and O_NONBLOCK belongs to the open file, which every copy of the descriptor shares; .NET also
/// keeps a socket that has gone async non-blocking underneath for good, emulating blocking calls over epoll.
/// So a connection that was opened async is served through a fresh Socket over a duplicate of its descriptor,
/// put in blocking mode for real. .NET has no API to duplicate a socket's descriptor on Linux.
/// </summary>
public static partial class SharedDescriptor
{
    private const int F_DUPFD_CLOEXEC = 1030;

    /// <summary>A fresh, truly blocking Socket over <paramref name="socket"/>'s connection; <paramref name="socket"/> is disposed.</summary>
    public static Socket Reopen(Socket socket)
    {
        int duplicate;
        bool added = false;
        var handle = socket.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            duplicate = fcntl((int)handle.DangerousGetHandle(), F_DUPFD_CLOEXEC, 0);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
        if (duplicate < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        var fresh = new Socket(new SafeSocketHandle(duplicate, ownsHandle: true));
        BlockForReal(fresh);
        socket.Dispose(); // no operation is in flight: this only closes the old descriptor and leaves epoll
        return fresh;
    }

    /// <summary>
    /// Clear O_NONBLOCK on the open file. A Socket made from a descriptor assumes it blocks and would skip setting
    /// what it thinks is set already; a round trip through non-blocking makes both fcntl calls happen.
    /// </summary>
    public static void BlockForReal(Socket socket)
    {
        socket.Blocking = false;
        socket.Blocking = true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);
}
