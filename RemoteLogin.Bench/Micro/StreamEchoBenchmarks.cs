using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// The daemon's echo loop alone at stream sizes: what a paste asks of it. As in <see cref="EchoLoopBenchmarks"/>,
/// each strategy serves one end of a Unix stream socket pair under the thread model's blocking loop and the task
/// model's async one; here a writer thread puts 64 KB blocks in, the stream floor's writes, while the benchmark
/// thread reads the echo back with 64 KB receives. One operation is one character, so the mean reads as ns/char and
/// a regression in any loop's large-block path shows here, apart from TCP and the client.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[ContextSwitchDiagnoser]
public class StreamEchoBenchmarks
{
    private const int BlockSize = 64 * 1024;
    private const int BlocksPerInvoke = 4;
    private const int CharsPerInvoke = BlockSize * BlocksPerInvoke;

    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(60); // a safety limit for a broken echo, not a timing claim

    private readonly byte[] _block = new byte[BlockSize];
    private readonly byte[] _echo = new byte[BlockSize];
    private readonly EchoTally _tally = new();
    private readonly SemaphoreSlim _write = new(0);
    private Socket _writer = null!;
    private Socket _served = null!;
    private Task _echoing = null!;
    private Thread _writing = null!;
    private volatile bool _stopping;

    [Params(BufferStrategy.Naive, BufferStrategy.Batched, BufferStrategy.Pipelined, BufferStrategy.Zerocopy)]
    public BufferStrategy Strategy { get; set; }

    [Params(SubdaemonModel.Thread, SubdaemonModel.Task)]
    public SubdaemonModel Model { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_writer, _served) = UnixSockets.PairAsync().GetAwaiter().GetResult();
        _writer.ReceiveTimeout = (int)EchoTimeout.TotalMilliseconds; // a broken echo fails the case instead of hanging it
        new Random(862).NextBytes(_block);
        _echoing = ServedEcho.Start(_served, Strategy, Model, _tally);
        _writing = new Thread(Write) { IsBackground = true, Name = "stream writer" };
        _writing.Start();
    }

    [Benchmark(Description = "64 KB writes, per character", OperationsPerInvoke = CharsPerInvoke)]
    public int EchoBlocks()
    {
        _write.Release();
        int read = 0;
        while (read < CharsPerInvoke)
        {
            int received = _writer.Receive(_echo);
            if (received == 0)
            {
                throw new InvalidOperationException($"{Strategy} under {Model}: the echo loop closed");
            }
            read += received;
        }
        return read;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stopping = true;
        _write.Release();
        _writing.Join();
        _writer.Shutdown(SocketShutdown.Send);
        if (!_echoing.Wait(EchoTimeout))
        {
            throw new TimeoutException($"{Strategy} under {Model}: the echo loop did not end after the writer's end");
        }
        var counts = _tally.Counts;
        if (counts.BytesEchoed != counts.BytesReceived)
        {
            throw new InvalidOperationException($"{Strategy} under {Model}: echoed {counts.BytesEchoed} of {counts.BytesReceived} bytes");
        }
        _writer.Dispose();
        _served.Dispose();
        _write.Dispose();
    }

    /// <summary>The writing half, on a thread of its own: one invocation's blocks each time it is told, as one blocking client writes them.</summary>
    private void Write()
    {
        while (true)
        {
            _write.Wait();
            if (_stopping)
            {
                return;
            }
            for (int i = 0; i < BlocksPerInvoke; i++)
            {
                _writer.Send(_block);
            }
        }
    }
}
