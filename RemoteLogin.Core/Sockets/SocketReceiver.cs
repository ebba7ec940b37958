using System.IO.Pipelines;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>Fills a pipe from a socket until the peer stops sending. One job: receive.</summary>
public sealed class SocketReceiver(Socket socket, PipeWriter writer, Action<int>? onReceived = null)
{
    private const int MinimumReceiveSize = 4096;

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(MinimumReceiveSize);
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
