using System.IO.Pipelines;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Fills a pipe from a socket until the peer stops sending. One job: receive. A receive asks the pipe for little
/// (<see cref="MinimumReceiveSize"/>, usually the rest of the tail segment) until one fills all it was given: then the
/// peer is streaming, and the next asks for the stream floor's read (<see cref="StreamReceiveSize"/>). So a paste is
/// received in large blocks, and a typist's idle session holds a small segment, not a large one, while it waits.
/// </summary>
public sealed class SocketReceiver(Socket socket, PipeWriter writer, Action<int>? onReceived = null)
{
    public const int MinimumReceiveSize = 4096;

    public const int StreamReceiveSize = 64 * 1024;

    /// <summary>What the next receive asks the pipe for, after one that got <paramref name="received"/> bytes of <paramref name="offered"/>.</summary>
    public static int NextReceiveSize(int received, int offered) => received == offered ? StreamReceiveSize : MinimumReceiveSize;

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Exception? error = null;
        int size = MinimumReceiveSize;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(size);
                int received = await socket.ReceiveAsync(memory, SocketFlags.None, cancellationToken);
                if (received == 0)
                {
                    break;
                }
                size = NextReceiveSize(received, memory.Length);
                writer.Advance(received);
                onReceived?.Invoke(received);
                var flush = await writer.FlushAsync(cancellationToken);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            error = e;
        }
        await writer.CompleteAsync(error);
    }
}
