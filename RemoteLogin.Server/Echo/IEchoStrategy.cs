using System.Net.Sockets;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Echo;

/// <summary>One way of echoing a session's bytes. Returns once the client has stopped sending and all it sent went back.</summary>
public interface IEchoStrategy
{
    Task EchoAsync(Socket socket, ServerMetrics metrics, CancellationToken cancellationToken);
}

public static class EchoStrategies
{
    public static IEchoStrategy For(BufferStrategy strategy) => strategy switch
    {
        BufferStrategy.Naive => new NaiveEcho(),
        BufferStrategy.Batched => new BatchedEcho(),
        BufferStrategy.Pipelined => new PipelinedEcho(),
        BufferStrategy.Zerocopy => new ZeroCopyEcho(),
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
    };
}
