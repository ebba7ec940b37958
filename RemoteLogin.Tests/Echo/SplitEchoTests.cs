using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EchoSteps;

/// <summary>
/// However the client's stream is cut into receives, its echo is the same: every strategy under both drivers, over
/// every protocol, through real loopback connections, the text sent whole and then a few bytes at a time. The text
/// holds what each protocol rewrites or strips (a telnet newline and escaped IAC, an rlogin window-size message).
/// </summary>
public class SplitEchoTests
{
    private static readonly byte[] Text =
    [
        .. "login: typist\r\0echo "u8, 0xFF, 0xFF, .. " twice\r\n"u8, // a telnet newline typed as CR NUL, an escaped IAC
        .. Enumerable.Range(0, 200).Select(i => (byte)('a' + i % 26)),
        0xFF, 0xFF, (byte)'s', (byte)'s', 0, 24, 0, 80, 0, 0, 0, 0, // rlogin: a window-size message, 24 rows of 80 columns
        .. "\r\0last line\r\n"u8,
    ];

    public static TheoryData<BufferStrategy, WireProtocol, bool> Cases()
    {
        var cases = new TheoryData<BufferStrategy, WireProtocol, bool>();
        foreach (var strategy in Enum.GetValues<BufferStrategy>())
        {
            foreach (var protocol in new[] { WireProtocol.Raw, WireProtocol.Telnet, WireProtocol.Rlogin })
            {
                cases.Add(strategy, protocol, false);
                cases.Add(strategy, protocol, true);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_echo_of_a_stream_cut_anywhere_is_the_echo_of_it_whole(BufferStrategy strategy, WireProtocol protocol, bool blocking)
    {
        var sessions = new EchoSessions(strategy, LoginProtocols.For(protocol), new EchoTally());
        byte[] whole = await EchoAsync(sessions, blocking, [Text]);
        var random = new Random(862);
        var pieces = new List<byte[]>();
        for (int at = 0; at < Text.Length;)
        {
            int size = Math.Min(Text.Length - at, random.Next(1, 8));
            pieces.Add(Text[at..(at + size)]);
            at += size;
        }
        byte[] split = await EchoAsync(sessions, blocking, pieces);
        Assert.Equal(whole, split);
        if (protocol == WireProtocol.Raw)
        {
            Assert.Equal(Text, whole);
        }
        else
        {
            Assert.NotEqual(Text, whole); // the protocol did rewrite something: the test saw its slow path
        }
    }

    private static async Task<byte[]> EchoAsync(EchoSessions sessions, bool blocking, IReadOnlyList<byte[]> pieces)
    {
        using var pair = LoopbackPair.Open();
        var session = sessions.For(pair.Server);
        var running = blocking
            ? Task.Factory.StartNew(session.Run, TaskCreationOptions.LongRunning)
            : session.RunAsync(CancellationToken.None).AsTask();
        var echoed = Task.Run(() => EchoClient.ReceiveToEndAsync(pair.Client));
        foreach (var piece in pieces)
        {
            await pair.Client.SendAsync(piece, SocketFlags.None);
            if (pieces.Count > 1)
            {
                await Task.Delay(1); // a chance for the daemon to receive this piece alone; the echo may not depend on it
            }
        }
        pair.Client.Shutdown(SocketShutdown.Send);
        var end = await running;
        Assert.Equal(EchoEndKind.Completed, end.Kind);
        pair.Server.Shutdown(SocketShutdown.Send); // the session lifecycle's close, after the last echo
        return await echoed;
    }
}
