using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// One byte sent with MSG_OOB, as stock telnet sends its "synch" and rlogin clients their interrupts. The daemon takes
/// it as data, inline, under every model, strategy and protocol: a splice that stops at the urgent mark must neither
/// spin, nor read as the end of the stream, nor lose the bytes a protocol has already peeked.
/// </summary>
public class UrgentDataTests
{
    private const byte Iac = 255, InterruptProcess = 244, DataMark = 242;

    public static TheoryData<SubdaemonModel, BufferStrategy, WireProtocol> Matrix() => Pairings.EveryModelAndStrategyWith(WireProtocols.Terminal); // a concentrator's connection carries no urgent mark of a terminal's

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task An_urgent_byte_is_echoed_in_its_place_and_the_session_goes_on(SubdaemonModel model, BufferStrategy strategy, WireProtocol protocol)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model, protocol);
        using var client = await LoginClient.ConnectAsync(daemon.Endpoint, protocol);
        await client.SendAsync("ab"u8.ToArray(), SocketFlags.None);
        Assert.Equal("ab"u8.ToArray(), await EchoClient.ReceiveExactlyAsync(client, 2));

        // Plain bytes, the urgent one, plain bytes again, all queued at once: a protocol's peek sees the first ones
        // stop at the mark, and the splice after it must still take them; then the mark itself.
        var echo = EchoClient.ReceiveToEndAsync(client);
        byte[] expected;
        if (protocol == WireProtocol.Telnet)
        {
            // Telnet's synch: IAC IP, then IAC DM with the DM urgent (RFC 854). Commands, so no echo; the data around them is.
            await client.SendAsync(new byte[] { (byte)'x', Iac, InterruptProcess, Iac }, SocketFlags.None);
            await client.SendAsync(new[] { DataMark }, SocketFlags.OutOfBand);
            expected = "xcd"u8.ToArray();
        }
        else
        {
            await client.SendAsync("x"u8.ToArray(), SocketFlags.None);
            await client.SendAsync("!"u8.ToArray(), SocketFlags.OutOfBand);
            expected = "x!cd"u8.ToArray();
        }
        await client.SendAsync("cd"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal(expected, await echo);
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Any(), "the session ends");
        var ended = daemon.Events.OfType<SessionEnded>().Single();
        Assert.True(ended.End.Echo.Kind == EchoEndKind.Completed, $"the session ended {ended.End}");
    }
}
