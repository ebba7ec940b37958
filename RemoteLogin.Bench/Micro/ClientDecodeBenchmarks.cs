using System.Buffers;
using BenchmarkDotNet.Attributes;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Protocols;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// What the interactive client's decoding costs per receive (<see cref="LoginClientProtocol.Decode"/>, as its server
/// pump calls it), without the socket: one echoed keystroke, and a 16 KB read (its receive size) of echoed paste. The
/// echo is the load client's text for the protocol, which the server sends back as it came, so telnet's reader finds
/// no IAC to act on and every byte goes to the display in one copy; raw and rlogin copy without looking.
/// <see cref="FramingBenchmarks"/> is the daemon's side of the same.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[ContextSwitchDiagnoser]
public class ClientDecodeBenchmarks
{
    private const int ReceiveBytes = 16 * 1024;

    private readonly ArrayBufferWriter<byte> _display = new(ReceiveBytes);
    private readonly ArrayBufferWriter<byte> _replies = new(256);
    private LoginClientProtocol _client = null!;
    private byte[] _received = null!;

    [Params(WireProtocol.Raw, WireProtocol.Telnet, WireProtocol.Rlogin)]
    public WireProtocol Protocol { get; set; }

    [Params(1, ReceiveBytes)]
    public int ReadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _client = LoginClientProtocol.For(Protocol); // never opened: the opening is a login's, not a receive's
        var text = TypedText.For(Protocol);
        _received = new byte[ReadBytes];
        for (int i = 0; i < _received.Length; i++)
        {
            _received[i] = text.At(i);
        }
    }

    [Benchmark(Description = "decode one receive")]
    public int Decode()
    {
        _display.ResetWrittenCount();
        _replies.ResetWrittenCount();
        _client.Decode(_received, _display, _replies);
        return _display.WrittenCount;
    }
}
