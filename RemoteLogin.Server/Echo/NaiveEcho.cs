using System.Net.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>The textbook loop: receive one byte, send it back, then read the next.</summary>
public sealed class NaiveEcho : IEchoStrategy
{
    public async Task EchoAsync(Socket socket, EchoTally tally, CancellationToken cancellationToken)
    {
        var oneByte = new byte[1];
        while (await socket.ReceiveAsync(oneByte.AsMemory(), SocketFlags.None, cancellationToken) == 1)
        {
            tally.Received(1);
            await socket.SendAsync(oneByte.AsMemory(), SocketFlags.None, cancellationToken);
            tally.Echoed(1);
        }
    }

    public void Echo(Socket socket, EchoTally tally)
    {
        Span<byte> oneByte = stackalloc byte[1];
        while (socket.Receive(oneByte) == 1)
        {
            tally.Received(1);
            socket.Send(oneByte);
            tally.Echoed(1);
        }
    }
}
