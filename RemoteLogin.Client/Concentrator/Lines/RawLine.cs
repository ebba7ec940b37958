using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Concentrator.Lines;

/// <summary>A plain TCP terminal: no opening, and its bytes go both ways as they are.</summary>
internal sealed class RawLine : ILineProtocol, ILineCodec
{
    public static RawLine Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Raw;

    public ValueTask<LineOpening> OpenAsync(Socket terminal, CancellationToken deadline) => ValueTask.FromResult(LineOpening.Done);

    public ILineCodec NewCodec() => this; // it holds no state

    public Decoded FromTerminal(ReadOnlySpan<byte> received, IBufferWriter<byte> toHost, IBufferWriter<byte> toTerminal) => Decoded.Received;

    public void Finish(IBufferWriter<byte> toHost)
    {
    }

    public int Held => 0;

    public void ToTerminal(ReadOnlySpan<byte> fromHost, IBufferWriter<byte> toTerminal) => toTerminal.Write(fromHost);
}
