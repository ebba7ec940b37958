using System.Net.Sockets;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// splice(2) socket → kernel pipe → same socket: the echoed bytes never enter user space.
/// The thread waits for data with a zero-byte receive, which costs no buffer and no copy.
/// </summary>
public sealed class ZeroCopyEcho : IEchoStrategy
{
    private const int MaxSpliceBytes = 64 * 1024; // a default pipe's capacity

    public async Task EchoAsync(Socket socket, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        using var pipe = new Splice.KernelPipe();
        // splice(2) blocks on a blocking socket whatever its flags say; a thread-pool thread must never block.
        socket.Blocking = false;
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        while (true)
        {
            var received = Splice.Move(fd, pipe.WriteFd, MaxSpliceBytes);
            if (received.WouldBlock)
            {
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                continue;
            }
            if (received.Failed)
            {
                throw new SocketException(received.Errno);
            }
            if (received.EndOfStream)
            {
                return;
            }
            metrics.Received((int)received.Bytes);
            SendAll(socket, fd, pipe, received.Bytes, metrics);
        }
    }

    private static void SendAll(Socket socket, int fd, Splice.KernelPipe pipe, long pending, ServerMetrics metrics)
    {
        while (pending > 0)
        {
            var sent = Splice.Move(pipe.ReadFd, fd, (int)pending);
            if (sent.WouldBlock)
            {
                // The client is not reading. .NET has no awaitable "writable" event, so this session's
                // thread waits here; bytes already in the pipe are never dropped.
                socket.Poll(TimeSpan.FromSeconds(1), SelectMode.SelectWrite);
                continue;
            }
            if (sent.Failed)
            {
                throw new SocketException(sent.Errno);
            }
            pending -= sent.Bytes;
            metrics.Echoed((int)sent.Bytes);
        }
    }
}
