using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// Whatever one receive returned goes back with one send, through one reused buffer. The buffer starts small and,
/// the first time a receive fills it, is swapped once for one as large as the stream floor's read: a paste goes back
/// in 64 KB blocks, and a thousand typists do not each hold 64 KB.
/// </summary>
public sealed class BatchedEcho : IEchoStrategy
{
    private const int TypingBufferSize = 16 * 1024;
    private const int StreamBufferSize = SocketReceiver.StreamReceiveSize;

    public async Task EchoAsync(Socket socket, FramedEcho framing, EchoTally tally, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(TypingBufferSize);
        try
        {
            int received;
            while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                tally.Received(received);
                await EchoSend.SendAsync(socket, framing.Of(buffer.AsMemory(0, received)), tally, cancellationToken);
                buffer = GrowIfFilled(buffer, received);
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
        var buffer = ArrayPool<byte>.Shared.Rent(TypingBufferSize);
        try
        {
            int received;
            while ((received = socket.Receive(buffer)) > 0)
            {
                tally.Received(received);
                EchoSend.Send(socket, framing.Of(buffer.AsMemory(0, received)), tally);
                buffer = GrowIfFilled(buffer, received);
            }
            EchoSend.Send(socket, framing.Final(), tally);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The buffer for the next receive: the stream's, once a receive filled a smaller one (its echo is already out).</summary>
    private static byte[] GrowIfFilled(byte[] buffer, int received)
    {
        if (received < buffer.Length || buffer.Length >= StreamBufferSize)
        {
            return buffer;
        }
        ArrayPool<byte>.Shared.Return(buffer);
        return ArrayPool<byte>.Shared.Rent(StreamBufferSize);
    }
}
