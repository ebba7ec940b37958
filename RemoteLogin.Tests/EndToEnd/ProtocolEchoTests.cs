using System.Net.Sockets;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// Telnet and rlogin framing under every subdaemon model and echo strategy: the opening on the wire, then a stream
/// that mixes the fast path (plain bytes) with every rewrite, sent in uneven pieces, echoed as the RFCs say.
/// </summary>
public class ProtocolEchoTests
{
    private const byte Iac = 255, Dont = 254, Do = 253, Wont = 252, Will = 251, Sb = 250, Se = 240, Nop = 241;
    private const byte Cr = 13, Lf = 10;

    public static TheoryData<SubdaemonModel, BufferStrategy> Matrix() => Pairings.EveryModelAndStrategy();

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Telnet_opens_with_its_offers_and_echoes_as_a_terminal_would(SubdaemonModel model, BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model, WireProtocol.Telnet);
        using var client = await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Telnet); // checks the offers
        await KeystrokesAsync(client);

        var plain = PlainBytes(20_000, except: [Iac, Cr, Lf]);
        byte[] typed =
        [
            Iac, Do, 1, Iac, Do, 3, // the answers to the offers: answered in turn by nothing
            .. "ab"u8, Iac, Iac, (byte)'c', Cr, 0, (byte)'d', Cr, Lf, (byte)'e', Lf, (byte)'f', Cr,
            Iac, Do, 99, Iac, Will, 39, Iac, Will, 3, Iac, Nop, (byte)'h', Cr, 0, Lf, Iac, 246,
            Iac, Sb, 24, 0, .. "xterm"u8, Iac, Iac, Iac, Se,
            .. plain, (byte)'g',
        ];
        byte[] expected =
        [
            .. "ab"u8, Iac, Iac, (byte)'c', Cr, Lf, (byte)'d', Cr, Lf, (byte)'e', Cr, Lf, (byte)'f', Cr, Lf,
            Iac, Wont, 99, Iac, Dont, 39, Iac, Do, 3, (byte)'h', Cr, Lf, Cr, Lf, .. "\r\n[yes]\r\n"u8,
            .. plain, (byte)'g',
        ];

        Assert.Equal(expected, await EchoOfAsync(client, typed));
    }

    /// <summary>
    /// Each 2-byte AYT is answered with 9 bytes: a read of them rewrites to 4.5 times its size, more than zerocopy's
    /// kernel pipe holds. The echo comes whole, in order, and the session ends as the client ends it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task A_flood_of_are_you_there_is_answered_in_full(SubdaemonModel model, BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model, WireProtocol.Telnet);
        using var client = await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Telnet);
        const int Questions = 16 * 1024;
        byte[] typed = [.. Enumerable.Repeat<byte[]>([Iac, 246], Questions).SelectMany(b => b), (byte)'z'];
        byte[] expected = [.. Enumerable.Repeat("\r\n[yes]\r\n"u8.ToArray(), Questions).SelectMany(b => b), (byte)'z'];

        Assert.Equal(expected, await EchoOfAsync(client, typed));
        await Eventually.AssertAsync(() => daemon.Events.OfType<Server.Daemon.SessionEnded>().Any(), "the session ends");
        Assert.Equal(Server.Sessions.EchoEndKind.Completed, daemon.Events.OfType<Server.Daemon.SessionEnded>().Single().End.Echo.Kind);
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Rlogin_answers_the_handshake_and_strips_window_sizes_from_the_echo(SubdaemonModel model, BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model, WireProtocol.Rlogin);
        using var client = await LoginClient.ConnectAsync(daemon.Endpoint, WireProtocol.Rlogin); // checks \0 and urgent 0x90
        await KeystrokesAsync(client);

        var plain = PlainBytes(20_000, except: [0xFF]);
        byte[] window = [0xFF, 0xFF, (byte)'s', (byte)'s', 0, 24, 0, 80, 0, 0, 0, 0];
        byte[] typed = [.. window, .. "a"u8, 0xFF, (byte)'b', 0xFF, 0xFF, 0xFF, .. window[2..], .. plain, .. window, (byte)'c', 0xFF, 0xFF];
        byte[] expected = [.. "a"u8, 0xFF, (byte)'b', 0xFF, .. plain, (byte)'c', 0xFF, 0xFF];

        Assert.Equal(expected, await EchoOfAsync(client, typed));
    }

    /// <summary>
    /// Three keys, each echoed before the next is typed: the session waits for input between them, as a login does,
    /// which a connection left non-blocking by the daemon's async opening would turn into an error.
    /// </summary>
    private static async Task KeystrokesAsync(Socket client)
    {
        foreach (byte key in "abc"u8.ToArray())
        {
            await client.SendAsync(new[] { key }, SocketFlags.None);
            Assert.Equal([key], await EchoClient.ReceiveExactlyAsync(client, 1));
        }
    }

    /// <summary>Send <paramref name="typed"/> in uneven pieces, stop sending, and read the echo to the daemon's FIN.</summary>
    private static async Task<byte[]> EchoOfAsync(Socket client, byte[] typed)
    {
        var echo = EchoClient.ReceiveToEndAsync(client);
        var random = new Random(1143);
        for (int sent = 0; sent < typed.Length;)
        {
            int piece = Math.Min(typed.Length - sent, random.Next(1, 700));
            sent += await client.SendAsync(typed.AsMemory(sent, piece), SocketFlags.None);
        }
        client.Shutdown(SocketShutdown.Send);
        return await echo;
    }

    private static byte[] PlainBytes(int count, byte[] except)
    {
        var random = new Random(854);
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            do
            {
                bytes[i] = (byte)random.Next(256);
            }
            while (except.Contains(bytes[i]));
        }
        return bytes;
    }
}
