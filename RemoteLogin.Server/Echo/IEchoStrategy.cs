using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// One way of echoing a session's bytes. Returns once the client has stopped sending and all it sent went back.
/// What goes back for each receive is the session protocol's answer (<see cref="FramedEcho"/>); the strategy decides
/// only how bytes move.
/// </summary>
public interface IEchoStrategy
{
    /// <summary>For the task model: an async loop on the thread pool, which must never block.</summary>
    Task EchoAsync(Socket socket, FramedEcho framing, EchoTally tally, CancellationToken cancellationToken);

    /// <summary>For the thread model and subdaemon children: the calling thread is the session's own and blocks in every socket call.</summary>
    void Echo(Socket socket, FramedEcho framing, EchoTally tally);
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
