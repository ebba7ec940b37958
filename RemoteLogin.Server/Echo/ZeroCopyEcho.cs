using System.Net.Sockets;
using System.Runtime.InteropServices;
using RemoteLogin.Server.Native;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// splice(2) socket → kernel pipe → same socket: the echoed bytes never enter user space. The task model waits
/// for data with a zero-byte receive, which costs no buffer and no copy; the thread model simply blocks in splice.
/// </summary>
public sealed class ZeroCopyEcho : IEchoStrategy
{
    private const int MaxSpliceBytes = 64 * 1024; // a default pipe's capacity
    private static readonly TimeSpan WritableBackoff = TimeSpan.FromMilliseconds(1);

    public async Task EchoAsync(Socket socket, EchoTally tally, CancellationToken cancellationToken)
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
            if (IsEnd(received, tally))
            {
                return;
            }
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
                pending -= Echoed(sent, tally);
            }
        }
    }

    public void Echo(Socket socket, EchoTally tally)
    {
        using var pipe = new Splice.KernelPipe();
        socket.Blocking = true;
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        while (true)
        {
            var received = Splice.Move(fd, pipe.WriteFd, MaxSpliceBytes);
            if (received.WouldBlock)
            {
                // TCP blocks in splice whatever the flags say; a Unix socket (the relay model's child) honours SPLICE_F_NONBLOCK.
                socket.Poll(-1, SelectMode.SelectRead);
                continue;
            }
            if (IsEnd(received, tally))
            {
                return;
            }
            for (long pending = received.Bytes; pending > 0;)
            {
                var sent = Splice.Move(pipe.ReadFd, fd, (int)pending);
                if (sent.WouldBlock)
                {
                    socket.Poll(-1, SelectMode.SelectWrite); // this thread is the session's own: waiting is its job
                    continue;
                }
                pending -= Echoed(sent, tally);
            }
        }
    }

    /// <summary>Whether the client is done; otherwise the received bytes are counted.</summary>
    private static bool IsEnd(Splice.Result received, EchoTally tally)
    {
        ThrowIfFailed(received);
        if (received.EndOfStream)
        {
            return true;
        }
        tally.Received((int)received.Bytes);
        return false;
    }

    private static long Echoed(Splice.Result sent, EchoTally tally)
    {
        ThrowIfFailed(sent);
        tally.Echoed((int)sent.Bytes);
        return sent.Bytes;
    }

    private static void ThrowIfFailed(Splice.Result result)
    {
        if (result.Failed)
        {
            throw new IOException($"splice: {Marshal.GetPInvokeErrorMessage(result.Errno)}");
        }
    }
}
