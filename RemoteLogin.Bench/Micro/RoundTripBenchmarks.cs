using System.Net;
using BenchmarkDotNet.Attributes;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Telemetry;
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
    private ServerMetrics _metrics = null!;
    private LoginDaemon _daemon = null!;
    private ClientTransport _session = null!;

    [Params(BufferStrategy.Naive, BufferStrategy.Batched, BufferStrategy.Pipelined, BufferStrategy.Zerocopy)]
    public BufferStrategy Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new ServerMetrics(SubdaemonModel.Task);
        _daemon = LoginDaemon.Start(new IPEndPoint(IPAddress.Loopback, 0), SubdaemonFactory.For(SubdaemonModel.Task, Strategy, RawProtocol.Instance, _metrics), _metrics);
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
        _daemon.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        _metrics.Dispose();
    }
}
