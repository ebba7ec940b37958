using System.Buffers;
using System.Net.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>Whatever one receive returned goes back with one send, through one reused buffer.</summary>
public sealed class BatchedEcho : IEchoStrategy
{
    // The stream floor's read: a paste is received and sent in blocks as large as the floor's, not a quarter of them.
    private const int BufferSize = 64 * 1024;

    public async Task EchoAsync(Socket socket, FramedEcho framing, EchoTally tally, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int received;
            while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                tally.Received(received);
                await EchoSend.SendAsync(socket, framing.Of(buffer.AsMemory(0, received)), tally, cancellationToken);
            }
            await EchoSend.SendAsync(socket, framing.Final(), tally, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Echo(Socket socket, FramedEcho framing, EchoTally tally)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int received;
            while ((received = socket.Receive(buffer)) > 0)
            {
                tally.Received(received);
                EchoSend.Send(socket, framing.Of(buffer.AsMemory(0, received)), tally);
            }
            EchoSend.Send(socket, framing.Final(), tally);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
