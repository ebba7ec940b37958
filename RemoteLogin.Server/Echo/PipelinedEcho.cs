using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The echo is a pipe: a receiver writes what the socket delivers into it, a sender drains it back into the
/// socket. Receiving and sending run apart, so a burst is received while the previous one is still being sent,
/// sends coalesce whatever arrived meanwhile, and no byte is copied between the two.
/// </summary>
public sealed class PipelinedEcho : IEchoStrategy
{
    public async Task EchoAsync(Socket socket, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        var echo = new Pipe(new PipeOptions(useSynchronizationContext: false));
        await Task.WhenAll(
            new SocketReceiver(socket, echo.Writer, metrics.Received).RunAsync(cancellationToken),
            new SocketSender(socket, echo.Reader, metrics.Echoed).RunAsync(cancellationToken));
    }
}
