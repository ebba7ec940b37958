using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EchoSteps;

/// <summary>
/// Under the async driver (the task model's), a session waiting for its next keystroke holds no rented buffer: it waits
/// for data with a zero-byte receive before it rents one, and gives it back once the echo is out. Counted through the
/// pool the sessions rent from, on real loopback connections that each echoed once and stay open.
/// </summary>
public class IdleSessionBufferTests
{
    private const int Sessions = 20;

    [Theory]
    [InlineData(BufferStrategy.Naive, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Batched, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Batched, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Pipelined, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Pipelined, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Zerocopy, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Zerocopy, WireProtocol.Telnet)]
    public async Task Idle_sessions_that_each_echoed_once_hold_no_rented_buffer(BufferStrategy strategy, WireProtocol protocol)
    {
        var pool = new CountingPool();
        var sessions = new EchoSessions(strategy, LoginProtocols.For(protocol), new EchoTally(), pool);
        var pairs = Enumerable.Range(0, Sessions).Select(_ => LoopbackPair.Open()).ToArray();
        try
        {
            var running = pairs.Select(pair => sessions.For(pair.Server).RunAsync(CancellationToken.None).AsTask()).ToArray();
            foreach (var pair in pairs)
            {
                pair.Client.Send("x"u8);
            }
            foreach (var pair in pairs)
            {
                var echo = new byte[1];
                Assert.Equal(1, pair.Client.Receive(echo));
                Assert.Equal((byte)'x', echo[0]);
            }

            // The echo reaches the client a moment before its session gives the buffer back.
            await Eventually.AssertAsync(() => pool.Outstanding == 0, $"{strategy} over {protocol}: {pool.Outstanding} buffers still rented by idle sessions");
            Assert.All(running, session => Assert.False(session.IsCompleted));
            // Naive's one byte is its own and raw zerocopy splices; the others rent at least once a session.
            bool rents = strategy is BufferStrategy.Batched or BufferStrategy.Pipelined || (strategy == BufferStrategy.Zerocopy && protocol != WireProtocol.Raw);
            Assert.InRange(pool.Rented, rents ? Sessions : 0, rents ? long.MaxValue : 0);

            foreach (var pair in pairs)
            {
                pair.Client.Shutdown(SocketShutdown.Send);
            }
            foreach (var end in await Task.WhenAll(running))
            {
                Assert.Equal(EchoEndKind.Completed, end.Kind);
            }
            Assert.Equal(0, pool.Outstanding);
        }
        finally
        {
            foreach (var pair in pairs)
            {
                pair.Dispose();
            }
        }
    }
}
