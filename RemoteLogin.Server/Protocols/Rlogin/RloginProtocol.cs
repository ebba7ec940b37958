using System.Net.Sockets;
using System.Text;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols.Rlogin;

/// <summary>
/// RFC 1282. The opening reads the client's handshake, replies NUL, and sends one urgent control byte asking for
/// the window size and raw mode. A handshake that is malformed or late gets the refusal RFC 1282 allows (a byte 1 and
/// a line of text). The user names are labels: the daemon only ever echoes, so it authenticates no one.
/// </summary>
internal sealed class RloginProtocol : ILoginProtocol
{
    /// <summary>0x80 asks the client for its window size, 0x10 puts it in raw mode (no local ^S/^Q).</summary>
    public const byte WindowSizeRequest = 0x80;
    public const byte RawMode = 0x10;

    private static readonly byte[] Accepted = [0];
    // TCP keeps one urgent mark: a second urgent byte sent before the client read the first would push the first into
    // the data. So both requests travel in one control byte, whose bits clients test one by one.
    private static readonly byte[] Control = [WindowSizeRequest | RawMode];

    /// <summary>What a refusal reads of a client's unread bytes at most before it closes.</summary>
    private const int MaxDiscardedOnRefusal = 64 * 1024;

    public static RloginProtocol Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Rlogin;

    public async ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline)
    {
        var handshake = new RloginHandshake();
        var peeked = new byte[RloginHandshake.MaxTotalBytes];
        try
        {
            while (true)
            {
                await OpeningWait.UntilReadableAsync(connection, deadline);
                // Peek, then take only the handshake's bytes: whatever the client sent after it stays for the echo.
                int available = connection.Receive(peeked, SocketFlags.Peek);
                if (available == 0)
                {
                    return new Opening("rlogin: the client left during the handshake");
                }
                var status = handshake.Read(peeked.AsSpan(0, available), out int consumed);
                connection.Receive(peeked, consumed, SocketFlags.None);
                if (status == RloginHandshakeStatus.Malformed)
                {
                    return Refuse(connection, $"rlogin: {handshake.Error}");
                }
                if (status == RloginHandshakeStatus.Complete)
                {
                    break;
                }
            }
            connection.Send(Accepted);
            connection.Send(Control, SocketFlags.OutOfBand);
            return Opening.Done;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return Refuse(connection, $"rlogin: handshake incomplete at the deadline ({handshake.Progress})");
        }
    }

    public IEchoFraming NewFraming() => new RloginEchoFraming();

    /// <summary>
    /// Tell the client why, and take what it has sent already, so that the close is a FIN after the text and not a
    /// reset that could overtake it. Whatever the client goes on sending after this is its own business.
    /// </summary>
    private static Opening Refuse(Socket connection, string error)
    {
        try
        {
            connection.Send(Encoding.ASCII.GetBytes($"\u0001{error}\n"));
            // Bounded: a client that keeps sending would otherwise keep this loop, and its thread, for good. What
            // comes after the bound is the closing linger's to discard.
            var unread = new byte[4096];
            for (int taken = 0; taken < MaxDiscardedOnRefusal && connection.Available > 0;)
            {
                int got = connection.Receive(unread);
                if (got == 0)
                {
                    break;
                }
                taken += got;
            }
        }
        catch (SocketException)
        {
            // The client is gone already: there is no one left to tell.
        }
        return new Opening(error);
    }
}
