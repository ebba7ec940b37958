using System.Net.Sockets;
using RemoteLogin.Client.Integrity;

namespace RemoteLogin.Client.Strategies;

/// <summary>One send per character and one one-byte receive per echo.</summary>
public sealed class NaiveTransport(Socket socket, EchoWindow window, TransportSettings settings)
    : BlockingTransport(socket, window, settings, new byte[1])
{
    protected override void Send(long first, int count)
    {
        for (long index = first; index < first + count; index++)
        {
            SendCopied(Window.Contiguous(index, 1).Span);
        }
    }
}
