using System.Net.Sockets;
using System.Runtime.InteropServices;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Telemetry;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// splice(2) socket → kernel pipe → same socket: the echoed bytes never enter user space.
/// The session waits for data with a zero-byte receive, which costs no buffer and no copy.
/// </summary>
public sealed class ZeroCopyEcho : IEchoStrategy
{
    private const int MaxSpliceBytes = 64 * 1024; // a default pipe's capacity
    private static readonly TimeSpan WritableBackoff = TimeSpan.FromMilliseconds(1);

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
            ThrowIfFailed(received);
            if (received.EndOfStream)
            {
                return;
            }
            metrics.Received((int)received.Bytes);
            for (long pending = received.Bytes; pending > 0;)
            {
                var sent = Splice.Move(pipe.ReadFd, fd, (int)pending);
                if (sent.WouldBlock)
                {
                    // The client is not reading. .NET has no awaitable "writable" event, so back off briefly;
                    // the bytes wait in the kernel pipe and nothing is dropped.
                    await Task.Delay(WritableBackoff, cancellationToken);
                    continue;
                }
                ThrowIfFailed(sent);
                pending -= sent.Bytes;
                metrics.Echoed((int)sent.Bytes);
            }
        }
    }

    private static void ThrowIfFailed(Splice.Result result)
    {
        if (result.Failed)
        {
            throw new IOException($"splice: {Marshal.GetPInvokeErrorMessage(result.Errno)}");
        }
    }
}
