using System.Buffers;
using System.Net.Sockets;

namespace RemoteLogin.Protocols;

/// <summary>RFC 862: the bytes on the wire are the bytes typed and shown; there is nothing to open.</summary>
public sealed class RawClient : LoginClientProtocol
{
    public override void Open(Socket socket, TimeSpan timeout)
    {
    }

    public override void Encode(ReadOnlySpan<byte> typed, IBufferWriter<byte> wire) => wire.Write(typed);

    public override void Decode(ReadOnlySpan<byte> received, IBufferWriter<byte> display, IBufferWriter<byte> replies) =>
        display.Write(received);
}
