using System.IO.Pipelines;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Drains a pipe into a socket: everything flushed since the last send goes out together, a read of many segments as
/// one gathered send (<see cref="GatheredSend"/>), not a send per segment. One job: send.
/// </summary>
public sealed class SocketSender(Socket socket, PipeReader reader, Action<int>? onSent = null)
{
    private readonly GatheredSend _sends = new();

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
                while (!buffer.IsEmpty)
                {
                    int sent = await _sends.SendAsync(socket, buffer, cancellationToken);
                    onSent?.Invoke(sent);
                    buffer = buffer.Slice(sent);
                }
                reader.AdvanceTo(result.Buffer.End);
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
        finally
        {
            _sends.Dispose(); // one run per sender: its send arguments are done with
        }
        await reader.CompleteAsync(error);
    }
}
