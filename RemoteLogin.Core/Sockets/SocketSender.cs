using System.IO.Pipelines;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>Drains a pipe into a socket: everything flushed since the last send goes out together. One job: send.</summary>
public sealed class SocketSender(Socket socket, PipeReader reader, Action<int>? onSent = null)
{
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var result))
                {
                    result = await reader.ReadAsync(cancellationToken);
                }
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await socket.SendAsync(segment, SocketFlags.None, cancellationToken);
                    onSent?.Invoke(segment.Length);
                }
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            error = e;
        }
        await reader.CompleteAsync(error);
    }
}
