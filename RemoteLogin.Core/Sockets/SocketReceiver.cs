using System.IO.Pipelines;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Fills a pipe from a socket until the peer stops sending. One job: receive. Each receive goes into whatever the
/// pipe's tail segment has left, if that is at least <paramref name="minimumReceiveSize"/>: a pipe of large segments
/// gets large receives, and a one-byte echo does not take a fresh segment of its own.
/// </summary>
public sealed class SocketReceiver(Socket socket, PipeWriter writer, Action<int>? onReceived = null, int minimumReceiveSize = SocketReceiver.MinimumReceiveSize)
{
    public const int MinimumReceiveSize = 4096;

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(minimumReceiveSize);
                int received = await socket.ReceiveAsync(memory, SocketFlags.None, cancellationToken);
                if (received == 0)
                {
                    break;
                }
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
