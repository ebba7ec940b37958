using System.Net.Sockets;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Protocols.Rlogin;

/// <summary>
/// RFC 1282. The opening reads the client's handshake, replies NUL, and sends one urgent control byte asking for
/// the window size and raw mode. The user names are labels: the daemon only ever echoes, so it authenticates no one.
/// </summary>
public sealed class RloginProtocol : ILoginProtocol
{
    /// <summary>0x80 asks the client for its window size, 0x10 puts it in raw mode (no local ^S/^Q).</summary>
    public const byte WindowSizeRequest = 0x80;
    public const byte RawMode = 0x10;

    private static readonly ReadOnlyMemory<byte> Accepted = new byte[] { 0 };
    // TCP keeps one urgent mark: a second urgent byte sent before the client read the first would push the first into
    // the data. So both requests travel in one control byte, whose bits clients test one by one.
    private static readonly ReadOnlyMemory<byte> Control = new byte[] { WindowSizeRequest | RawMode };

    public static RloginProtocol Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Rlogin;

    public bool HasOpening => true;

    public async ValueTask<Opening> OpenAsync(Socket connection, CancellationToken deadline)
    {
        var handshake = new RloginHandshake();
        var peeked = new byte[RloginHandshake.MaxTotalBytes];
        try
        {
            while (true)
            {
                // Peek, then take only the handshake's bytes: whatever the client sent after it stays for the echo.
                int available = await connection.ReceiveAsync(peeked, SocketFlags.Peek, deadline);
                if (available == 0)
                {
                    return new Opening("rlogin: the client left during the handshake");
                }
                var status = handshake.Read(peeked.AsSpan(0, available), out int consumed);
                await connection.ReceiveAsync(peeked.AsMemory(0, consumed), SocketFlags.None, deadline);
                if (status == RloginHandshakeStatus.Malformed)
                {
                    return new Opening($"rlogin: {handshake.Error}");
                }
                if (status == RloginHandshakeStatus.Complete)
                {
                    break;
                }
            }
            await connection.SendAsync(Accepted, SocketFlags.None, deadline);
            await connection.SendAsync(Control, SocketFlags.OutOfBand, deadline);
            return Opening.Done;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new Opening($"rlogin: handshake incomplete at the deadline ({handshake.Progress})");
        }
    }

    public IEchoFraming NewFraming() => new RloginEchoFraming();
}
