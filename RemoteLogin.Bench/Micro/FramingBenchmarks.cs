using BenchmarkDotNet.Attributes;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// What a protocol's framing costs the daemon per read, without the sockets around it: a one-byte read (a keystroke)
/// and a 16 KB read (a paste) of text the protocol carries as itself, the load client's, so each read takes the fast
/// path; and the same 16 KB with a newline every 64 bytes, which telnet rewrites (CR → CR LF). The end-to-end runs
/// cannot show this cost: it is far below their round-to-round noise.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[ContextSwitchDiagnoser]
public class FramingBenchmarks
{
    private FramedEcho _framing = null!;
    private ReadOnlyMemory<byte> _read;

    [Params(WireProtocol.Raw, WireProtocol.Telnet, WireProtocol.Rlogin)]
    public WireProtocol Protocol { get; set; }

    [Params(1, 16 * 1024)]
    public int ReadBytes { get; set; }

    [Params(false, true)]
    public bool Newlines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _framing = new FramedEcho(LoginProtocols.For(Protocol).NewFraming(), new EchoTally());
        var read = new byte[ReadBytes];
        for (int i = 0; i < read.Length; i++)
        {
            read[i] = (byte)(Newlines && i % 64 == 63 ? '\r' : 'a' + i % 26);
        }
        _read = read;
    }

    [Benchmark(Description = "frame one read")]
    public int Frame() => _framing.TryEcho(_read, out var echo) ? echo.Length : -1;
}
