using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// The daemon's echo loop alone, one character at a time: no TCP, no daemon, no session around it. Each strategy
/// serves one end of a connected Unix stream socket pair, as the thread model runs it (its blocking loop on a
/// dedicated thread) and as the task model does (its async loop on the thread pool); this side sends one byte and
/// receives its echo with plain blocking calls. Against <see cref="RoundTripBenchmarks"/> this takes the TCP stack
/// and the client strategy out. zerocopy splices here too: Linux splices Unix stream sockets to and from a pipe
/// (the relay model's child does the same over its socket pair), and every echo that comes back went that way.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[ContextSwitchDiagnoser]
public class EchoLoopBenchmarks
{
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(60); // a safety limit for a broken echo, not a timing claim

    private readonly byte[] _typed = [(byte)'x'];
    private readonly byte[] _echo = new byte[1];
    private readonly EchoTally _tally = new();
    private Socket _typist = null!;
    private Socket _served = null!;
    private Task _echoing = null!;

    [Params(BufferStrategy.Naive, BufferStrategy.Batched, BufferStrategy.Pipelined, BufferStrategy.Zerocopy)]
    public BufferStrategy Strategy { get; set; }

    [Params(SubdaemonModel.Thread, SubdaemonModel.Task)]
    public SubdaemonModel Model { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_typist, _served) = UnixSockets.PairAsync().GetAwaiter().GetResult();
        _typist.ReceiveTimeout = (int)EchoTimeout.TotalMilliseconds; // a broken echo fails the case instead of hanging it
        _echoing = ServedEcho.Start(_served, Strategy, Model, _tally);
    }

    [Benchmark(Description = "one character, send to echo")]
    public byte EchoOne()
    {
        _typist.Send(_typed);
        if (_typist.Receive(_echo) != 1)
        {
            throw new InvalidOperationException($"{Strategy} under {Model}: the echo loop closed");
        }
        return _echo[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Every echo is in already: the loop sees the end of input and returns; closing is its session's job, not its own.
        _typist.Shutdown(SocketShutdown.Send);
        if (!_echoing.Wait(EchoTimeout))
        {
            throw new TimeoutException($"{Strategy} under {Model}: the echo loop did not end after the typist's end");
        }
        var counts = _tally.Counts;
        if (counts.BytesEchoed != counts.BytesReceived)
        {
            throw new InvalidOperationException($"{Strategy} under {Model}: echoed {counts.BytesEchoed} of {counts.BytesReceived} bytes");
        }
        _typist.Dispose();
        _served.Dispose();
    }
}
