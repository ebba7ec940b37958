using System.Net.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>The textbook loop: receive one byte, send its echo back, then read the next.</summary>
public sealed class NaiveEcho : IEchoStrategy
{
    public async Task EchoAsync(Socket socket, FramedEcho framing, EchoTally tally, CancellationToken cancellationToken)
    {
        var oneByte = new byte[1];
        while (await socket.ReceiveAsync(oneByte.AsMemory(), SocketFlags.None, cancellationToken) == 1)
        {
            tally.Received(1);
            await EchoSend.SendAsync(socket, framing.Of(oneByte), tally, cancellationToken);
        }
        await EchoSend.SendAsync(socket, framing.Final(), tally, cancellationToken);
    }

    public void Echo(Socket socket, FramedEcho framing, EchoTally tally)
    {
        var oneByte = new byte[1];
        while (socket.Receive(oneByte) == 1)
        {
            tally.Received(1);
            EchoSend.Send(socket, framing.Of(oneByte), tally);
        }
        EchoSend.Send(socket, framing.Final(), tally);
    }
}
