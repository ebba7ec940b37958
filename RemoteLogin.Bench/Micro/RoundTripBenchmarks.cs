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

/// <summary>One character's round trip over loopback per strategy, the same strategy on both ends, daemon in process.</summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class RoundTripBenchmarks
{
    private ServerMetrics _metrics = null!;
    private LoginDaemon _daemon = null!;
    private ClientTransport _session = null!;

    [Params(BufferStrategy.Naive, BufferStrategy.Pipelined, BufferStrategy.Zerocopy)]
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
        _session.Close();
        _session.Dispose();
        _daemon.StopAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        _metrics.Dispose();
    }
}
