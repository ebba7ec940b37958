using System.Net;
using System.Net.Sockets;
using System.Text;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// A well-behaved session of any protocol, the "healthy neighbour" of the bad-input tests: it opens the session the way
/// the protocol says (telnet: takes the daemon's offer and answers nothing; rlogin: the handshake, the \0 reply) and
/// then types text every protocol echoes as it is (printable ASCII: no IAC, no CR or LF, no window-size marker).
/// </summary>
internal static class LoginClient
{
    /// <summary>What the daemon sends on a telnet connect, in one write: IAC DONT LINEMODE, IAC WILL ECHO, IAC WILL SGA.</summary>
    public static readonly byte[] TelnetOffer = [255, 254, 34, 255, 251, 1, 255, 251, 3];

    /// <summary>The urgent byte the daemon sends after the rlogin handshake's \0: 0x80, send the window size; 0x10, raw mode.</summary>
    public const byte RloginUrgent = 0x90;

    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint, WireProtocol protocol)
    {
        if (protocol == WireProtocol.Raw)
        {
            return await EchoClient.ConnectAsync(endpoint);
        }
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await client.ConnectAsync(endpoint);
            if (protocol == WireProtocol.Telnet)
            {
                Assert.Equal(TelnetOffer, await EchoClient.ReceiveExactlyAsync(client, TelnetOffer.Length));
            }
            else
            {
                await client.SendAsync(RloginHandshake("guest", "guest", "xterm/38400"));
                Assert.Equal([0], await EchoClient.ReceiveExactlyAsync(client, 1));
                Assert.Equal(RloginUrgent, await ReceiveUrgentAsync(client));
            }
            await EchoClient.AssertEchoesAsync(client, "hello"u8.ToArray());
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary><c>\0 cuser \0 suser \0 term/speed \0</c>, RFC 1282.</summary>
    public static byte[] RloginHandshake(string clientUser, string serverUser, string terminal) =>
        Encoding.ASCII.GetBytes($"\0{clientUser}\0{serverUser}\0{terminal}\0");

    /// <summary><paramref name="count"/> printable ASCII characters, the same for the same seed.</summary>
    public static byte[] Text(int count, int seed)
    {
        var random = new Random(seed);
        var text = new byte[count];
        for (int i = 0; i < count; i++)
        {
            text[i] = (byte)random.Next(' ', '~' + 1);
        }
        return text;
    }

    /// <summary>
    /// The urgent byte, kept out of the data (no SO_OOBINLINE). Linux forgets it once a read goes past it, so this is
    /// read before any data that follows it; until it arrives, recv(MSG_OOB) fails (EINVAL, EAGAIN) and is asked again.
    /// </summary>
    public static async Task<byte> ReceiveUrgentAsync(Socket client)
    {
        var urgent = new byte[1];
        await Eventually.AssertAsync(() =>
        {
            try
            {
                return client.Receive(urgent, SocketFlags.OutOfBand) == 1;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.InvalidArgument or SocketError.WouldBlock)
            {
                return false;
            }
        }, "the urgent byte");
        return urgent[0];
    }

}
