using System.Net.Sockets;
using RemoteLogin.Client.Integrity;

namespace RemoteLogin.Client.Strategies;

/// <summary>One send per character and one one-byte receive per echo.</summary>
internal sealed class NaiveTransport(Socket socket, EchoWindow window, TransportSettings settings)
    : BlockingTransport(socket, window, settings)
{
    private readonly byte[] _echo = new byte[1];

    /// <summary>The one-byte receive waits for the next echo itself, and a byte is no buffer worth giving back.</summary>
    protected override bool WaitsForDataBeforeTakingABuffer => false;

    protected override void Send(long first, int count)
    {
        for (long index = first; index < first + count; index++)
        {
            SendCopied(Window.Contiguous(index, 1));
        }
    }

    protected override Memory<byte> TakeReceiveBuffer() => _echo;

    protected override void ReturnReceiveBuffer(Memory<byte> buffer)
    {
    }
}
