using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// Socket → input pipe → echo loop → output pipe → socket. Receiving, echoing and sending run apart,
/// so a burst is received while the previous one is still being sent, and sends coalesce.
/// </summary>
public sealed class PipelinedEcho : IEchoStrategy
{
    public async Task EchoAsync(Socket socket, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        var input = new Pipe();
        var output = new Pipe();
        var receiving = new SocketReceiver(socket, input.Writer, metrics.Received).RunAsync(cancellationToken);
        var sending = new SocketSender(socket, output.Reader, metrics.Echoed).RunAsync(cancellationToken);
        await CopyAsync(input.Reader, output.Writer, cancellationToken);
        await Task.WhenAll(receiving, sending);
    }

    private static async Task CopyAsync(PipeReader reader, PipeWriter writer, CancellationToken cancellationToken)
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
                    writer.Write(segment.Span);
                }
                reader.AdvanceTo(buffer.End);
                if (!buffer.IsEmpty)
                {
                    var flush = await writer.FlushAsync(cancellationToken);
                    if (flush.IsCompleted)
                    {
                        break;
                    }
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            error = e;
        }
        await reader.CompleteAsync(error);
        await writer.CompleteAsync(error);
    }
}
