using System.Net.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>How the receive-then-send strategies put an echo on the wire: one send for the whole echo, or none when a protocol byte has no echo of its own.</summary>
internal static class EchoSend
{
    public static async ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> echo, EchoTally tally, CancellationToken cancellationToken)
    {
        if (!echo.IsEmpty)
        {
            await socket.SendAsync(echo, SocketFlags.None, cancellationToken);
            tally.Echoed(echo.Length);
        }
    }

    public static void Send(Socket socket, ReadOnlyMemory<byte> echo, EchoTally tally)
    {
        if (!echo.IsEmpty)
        {
            socket.Send(echo.Span);
            tally.Echoed(echo.Length);
        }
    }
}
