using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Telemetry;

/// <summary>
/// What each strategy copies through user-space memory, as the daemon's meter counts it
/// (remotelogin.server.echo.bytes_copied), for 1000 bytes echoed over raw: receive-and-send strategies copy each byte
/// in and out once, splice copies nothing, and the relay adds its own two copies each way.
/// </summary>
public class EchoCopyTests
{
    private const int Bytes = 1000;

    [Theory]
    [InlineData(BufferStrategy.Naive, SubdaemonModel.Task, Bytes, Bytes)]
    [InlineData(BufferStrategy.Batched, SubdaemonModel.Thread, Bytes, Bytes)]
    [InlineData(BufferStrategy.Pipelined, SubdaemonModel.Task, Bytes, Bytes)]
    [InlineData(BufferStrategy.Pipelined, SubdaemonModel.Thread, Bytes, Bytes)]
    [InlineData(BufferStrategy.Zerocopy, SubdaemonModel.Task, 0, 0)]
    [InlineData(BufferStrategy.Zerocopy, SubdaemonModel.Thread, 0, 0)]
    [InlineData(BufferStrategy.Naive, SubdaemonModel.Process, Bytes, Bytes)]
    [InlineData(BufferStrategy.Zerocopy, SubdaemonModel.Process, 0, 0)]
    // The daemon receives from the client and sends to the child, receives the echo and sends it on: two each way.
    [InlineData(BufferStrategy.Batched, SubdaemonModel.Relay, 3 * Bytes, 3 * Bytes)]
    [InlineData(BufferStrategy.Zerocopy, SubdaemonModel.Relay, 2 * Bytes, 2 * Bytes)]
    public async Task Raw_echo_copies_what_its_strategy_says(BufferStrategy strategy, SubdaemonModel model, long intoUser, long outOfUser)
    {
        using var meter = new RecordedMeter();
        await using (var daemon = InProcessDaemon.Start(strategy, model))
        {
            var sent = new byte[Bytes];
            Random.Shared.NextBytes(sent);
            Assert.Equal(sent, await EchoAsync(daemon, sent, opening: 0));
            await daemon.Daemon.StopAsync(TimeSpan.FromSeconds(30)); // children reaped: their last reports are in
            Assert.Equal(intoUser, meter.Read("remotelogin.server.echo.bytes_copied[remotelogin.copy=into_user]"));
            Assert.Equal(outOfUser, meter.Read("remotelogin.server.echo.bytes_copied[remotelogin.copy=out_of_user]"));
            Assert.Equal(0, meter.Read("remotelogin.server.echo.bytes_copied[remotelogin.copy=within_user]"));
        }
    }

    [Fact]
    public async Task Zerocopy_under_telnet_copies_what_it_peeks_at_and_only_a_rewritten_echo_more()
    {
        byte[] plain = [.. Enumerable.Range(0, Bytes).Select(i => (byte)('a' + i % 26))];
        byte[] newline = "\r\0"u8.ToArray(); // a newline typed as CR NUL echoes as CR LF: a rewrite
        using var meter = new RecordedMeter();
        await using (var daemon = InProcessDaemon.Start(BufferStrategy.Zerocopy, SubdaemonModel.Thread, WireProtocol.Telnet))
        {
            byte[] echoed = await EchoAsync(daemon, [.. plain, .. newline], opening: TelnetOpeningBytes);
            Assert.Equal([.. plain, .. "\r\n"u8], echoed);
            await daemon.Daemon.StopAsync(TimeSpan.FromSeconds(30));
            long into = meter.Read("remotelogin.server.echo.bytes_copied[remotelogin.copy=into_user]");
            long outOf = meter.Read("remotelogin.server.echo.bytes_copied[remotelogin.copy=out_of_user]");
            // The read holding the newline was rewritten (at least CR LF), written into the kernel pipe, and so copied out.
            Assert.InRange(outOf, 2, Bytes + 2);
            Assert.Equal(outOf, meter.Read("remotelogin.server.echo.bytes_copied[remotelogin.copy=within_user]"));
            // Every byte was peeked at once; the rewritten read, as long as its echo here, was taken for real as well.
            Assert.Equal(plain.Length + newline.Length + outOf, into);
        }
    }

    /// <summary>IAC DONT LINEMODE, IAC WILL ECHO, IAC WILL SGA: the daemon's greeting, sent before any echo.</summary>
    private const int TelnetOpeningBytes = 9;

    /// <summary>The echo of <paramref name="sent"/>, after the daemon's <paramref name="opening"/> bytes of greeting.</summary>
    private static async Task<byte[]> EchoAsync(InProcessDaemon daemon, byte[] sent, int opening) =>
        (await EchoClient.SendAllAndReceiveToEndAsync(daemon.Endpoint, sent))[opening..];
}
