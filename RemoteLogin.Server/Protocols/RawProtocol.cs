using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols;

/// <summary>RFC 862: no opening, and every byte goes back as it came.</summary>
internal sealed class RawProtocol : ILoginProtocol, IEchoFraming
{
    public static RawProtocol Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Raw;

    public bool InspectsData => false;

    public ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline) => ValueTask.FromResult(Opening.Done);

    public IEchoFraming NewFraming() => this; // nothing to remember between reads

    public Framed Frame(ReadOnlySpan<byte> received, IBufferWriter<byte> echo) => Framed.Received;

    public void Finish(IBufferWriter<byte> echo)
    {
    }
}
