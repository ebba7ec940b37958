using BenchmarkDotNet.Attributes;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// One character's round trip over loopback per strategy, the same strategy on both ends, the daemon in this process
/// under the task model: the interactive scenario's step, so the counters cover client and daemon together.
/// Batched does what it does in the interactive scenario: a lone character waits out the batch delay (1 ms) before it
/// is sent, so its time is that delay plus a round trip, and the delay's sleep is one more voluntary switch. That is
/// the strategy's price for a typist; flushing each character instead would measure naive with an extra copy.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[ContextSwitchDiagnoser]
public class RoundTripBenchmarks
{
    private DaemonHost _daemon = null!;
    private ClientTransport _session = null!;

    [Params(BufferStrategy.Naive, BufferStrategy.Batched, BufferStrategy.Pipelined, BufferStrategy.Zerocopy)]
    public BufferStrategy Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _daemon = DaemonHost.Start(new DaemonOptions { Echo = Strategy, Model = SubdaemonModel.Task, Protocol = WireProtocol.Raw }, DaemonLog.StandardError);
        _session = ClientTransports.Connect(Strategy, WireProtocol.Raw, _daemon.LocalEndPoint, TypedText.AllBytes, TransportSettings.Default);
    }

    [Benchmark(Description = "one character, send to echo")]
    public void RoundTrip() => _session.RoundTrip();

    [GlobalCleanup]
    public void Cleanup()
    {
        // A round trip whose echo never came gives up after the echo timeout and counts it lost: a time, but not a round trip's.
        var integrity = _session.Window.Integrity;
        if (!integrity.IsIntact)
        {
            throw new InvalidOperationException($"{Strategy}: echoes lost {integrity.Lost}, duplicated {integrity.Duplicated}, corrupted {integrity.Corrupted}");
        }
        _session.Close();
        _session.Dispose();
        _daemon.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
