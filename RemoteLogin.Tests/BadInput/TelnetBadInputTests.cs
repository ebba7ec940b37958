using System.Net;
using System.Text;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using Xunit.Abstractions;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Tests.BadInput;

/// <summary>
/// Bad telnet input against the real daemon, end to end. Each test also proves that a healthy session opened before
/// the bad one still echoes, and that the daemon still logs in new sessions. (The parser's own split and random-stream
/// properties are in Protocols/TelnetReaderTests.)
/// </summary>
public class TelnetBadInputTests(ITestOutputHelper output)
{
    private const byte Nop = 241;
    private const byte Unsupported = 99;
    private const byte TerminalType = 24;

    /// <summary>Commands, escapes, negotiations, a subnegotiation and every line end, between data bytes; ends with a marker.</summary>
    private static readonly byte[] Mixed =
    [
        (byte)'a', Iac, Nop, (byte)'b', Iac, Iac, (byte)'c', Cr, Nul, (byte)'d', Cr, Lf, (byte)'e',
        Iac, Do, Unsupported, (byte)'f', Iac, Will, Unsupported, (byte)'g', Iac, Do, SuppressGoAhead, (byte)'h',
        Iac, Sb, TerminalType, 0, (byte)'x', Iac, Iac, (byte)'t', Iac, Se, (byte)'i', Cr, (byte)'j', Lf, (byte)'k',
        Iac, Wont, Unsupported, .. "<end>"u8,
    ];

    [Fact]
    public async Task A_stream_split_across_two_writes_at_every_position_echoes_as_it_does_sent_whole()
    {
        using var meter = new RecordedMeter();
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, protocol: WireProtocol.Telnet);
        using var neighbourhood = await Neighbourhood.OpenAsync(daemon.Endpoint, WireProtocol.Telnet);

        byte[] whole = await EchoOfAsync(daemon, meter, Mixed.Length);
        output.WriteLine($"sent whole, echoed: {Convert.ToHexString(whole)}");
        for (int split = 1; split < Mixed.Length; split++)
        {
            byte[] echo = await EchoOfAsync(daemon, meter, split);
            Assert.True(whole.AsSpan().SequenceEqual(echo), $"split at {split}: {Convert.ToHexString(echo)}");
        }

        await neighbourhood.AssertUnharmedAsync();
    }

    [Fact]
    public async Task An_unterminated_subnegotiation_past_the_cap_closes_only_its_session_and_says_why()
    {
        using var daemon = DaemonProcess.Start(["--protocol", "telnet", "--echo", "batched"]);
        using (var neighbourhood = await Neighbourhood.OpenAsync(daemon.Endpoint, WireProtocol.Telnet))
        {
            using var bad = await BadSession.ConnectAsync(daemon.Endpoint);
            await bad.SendAsync((byte[])[Iac, Sb, TerminalType, .. Enumerable.Repeat((byte)'x', 1000)]);
            await bad.AssertClosedByDaemonAsync();
            await neighbourhood.AssertUnharmedAsync();
        }

        var broken = Assert.IsType<SessionEnded>(Assert.Single(BadSession.StopCleanly(daemon, output), e => e is SessionEnded { End.Echo.Kind: EchoEndKind.ProtocolBroken }));
        Assert.Contains("subnegotiation", broken.End.Echo.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ten_thousand_option_requests_in_a_row_get_at_most_one_answer_each_and_the_session_still_echoes()
    {
        using var daemon = DaemonProcess.Start(["--protocol", "telnet", "--echo", "batched"]);
        using (var neighbourhood = await Neighbourhood.OpenAsync(daemon.Endpoint, WireProtocol.Telnet))
        {
            using var bad = await ConnectPastTheOfferAsync(daemon.Endpoint);
            var first = await RequestsThenDataAsync(bad, requestsOfEach: 10_000, marker: "<first>");
            long residentBefore = ProcFs.ResidentKilobytes(daemon.ProcessId);
            var second = await RequestsThenDataAsync(bad, requestsOfEach: 100_000, marker: "<second>");
            long residentAfter = ProcFs.ResidentKilobytes(daemon.ProcessId);
            output.WriteLine($"answers: {first} bytes to 20,000 requests, {second} to 200,000; VmRSS {residentBefore} kB, then {residentAfter} kB");

            Assert.InRange(first, 0, 3 * 20_000L);
            Assert.InRange(second, 0, 3 * 200_000L);
            // Ten times the requests may not cost ten times the memory: the Q method keeps two states per option
            // (256 of each), whatever is asked. 32 MB is far above what the runtime's own heap growth amounts to here
            // and far below what even 100 bytes kept per request (20 MB) plus that growth would need.
            Assert.InRange(residentAfter - residentBefore, long.MinValue, 32 * 1024);
            await neighbourhood.AssertUnharmedAsync();
        }

        BadSession.StopCleanly(daemon, output);
    }

    [Theory]
    [InlineData("task")]
    [InlineData("process")]
    public async Task Random_bytes_into_telnet_sessions_harm_no_other_session_and_never_crash_the_daemon(string subdaemon)
    {
        using var daemon = DaemonProcess.Start(["--protocol", "telnet", "--subdaemon", subdaemon, "--echo", "batched"]);
        using (var neighbourhood = await Neighbourhood.OpenAsync(daemon.Endpoint, WireProtocol.Telnet))
        {
            for (int seed = 0; seed < 4; seed++)
            {
                using var bad = await BadSession.ConnectAsync(daemon.Endpoint);
                var noise = new byte[64 * 1024];
                new Random(seed).NextBytes(noise);
                await bad.SendAsync(noise);
                await neighbourhood.AssertUnharmedAsync(); // the noise is all in, or its session closed: the neighbour still echoes
                output.WriteLine($"seed {seed}: {bad.Received.Length} bytes back, {(bad.Closed ? "closed" : "open")}");
            }
        }

        BadSession.StopCleanly(daemon, output);
    }

    /// <summary>The daemon's answer on a new session to <see cref="Mixed"/> sent in two writes, the second once the daemon had the first.</summary>
    private static async Task<byte[]> EchoOfAsync(InProcessDaemon daemon, RecordedMeter meter, int split)
    {
        using var session = await ConnectPastTheOfferAsync(daemon.Endpoint);
        long received = meter.Read("remotelogin.server.bytes.received");
        await session.SendAsync(Mixed.AsMemory(0, split));
        if (split < Mixed.Length)
        {
            await Eventually.AssertAsync(() => meter.Read("remotelogin.server.bytes.received") == received + split, $"the daemon received the first {split} bytes");
            await session.SendAsync(Mixed.AsMemory(split));
        }
        byte[] all = await session.ReceiveThroughAsync("<end>"u8.ToArray());
        return all[LoginClient.TelnetOffer.Length..];
    }

    /// <summary>A new session whose opening offer has arrived, so that everything received from now on answers what it sends.</summary>
    private static async Task<BadSession> ConnectPastTheOfferAsync(IPEndPoint daemon)
    {
        var session = await BadSession.ConnectAsync(daemon);
        try
        {
            await Eventually.AssertAsync(() => session.Received.Length >= LoginClient.TelnetOffer.Length, "the daemon's offer");
            Assert.Equal(LoginClient.TelnetOffer, session.Received);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>IAC DO and IAC WILL of an unsupported option, <paramref name="requestsOfEach"/> of each, then data; returns how many bytes the daemon answered before echoing the data.</summary>
    private static async Task<long> RequestsThenDataAsync(BadSession session, int requestsOfEach, string marker)
    {
        int before = session.Received.Length;
        var requests = new byte[requestsOfEach * 6];
        for (int i = 0; i < requestsOfEach; i++)
        {
            requests[3 * i] = Iac;
            requests[(3 * i) + 1] = Do;
            requests[(3 * i) + 2] = Unsupported;
            requests[(3 * requestsOfEach) + (3 * i)] = Iac;
            requests[(3 * requestsOfEach) + (3 * i) + 1] = Will;
            requests[(3 * requestsOfEach) + (3 * i) + 2] = Unsupported;
        }
        byte[] data = Encoding.ASCII.GetBytes(marker);
        Assert.True(await session.SendAsync((byte[])[.. requests, .. data]), "the daemon closed the session");
        byte[] received = await session.ReceiveThroughAsync(data);
        return received.Length - before - data.Length;
    }
}
