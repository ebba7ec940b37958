using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// The daemon's door and its timers: which connections it admits (per address, while openings pile up), and how it
/// lets go of sessions whose peers went quiet (keepalive, --idle-timeout). Against real daemons over loopback.
/// </summary>
public class AdmissionTests
{
    private const string Rejected = "remotelogin.server.sessions.rejected";

    [Fact]
    public async Task One_address_gets_its_share_of_sessions_another_address_still_gets_in_and_a_freed_place_is_taken_again()
    {
        using var meter = new RecordedMeter();
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { Echo = BufferStrategy.Batched, MaxSessionsPerSource = 3 });
        var mine = new List<Socket>();
        for (int i = 0; i < 3; i++)
        {
            mine.Add(await EchoClient.ConnectAsync(daemon.Endpoint));
            await EchoClient.AssertEchoesAsync(mine[^1], "in"u8.ToArray());
        }

        using (var fourth = await ConnectFromAsync(IPAddress.Loopback, daemon.Endpoint))
        {
            Assert.Equal(0, await EchoClient.ReceiveOrResetAsync(fourth, new byte[16])); // closed without a byte of service
        }
        // 127.0.0.2 is another source on the same loopback: the first address's share is not its.
        using (var other = await ConnectFromAsync(IPAddress.Parse("127.0.0.2"), daemon.Endpoint))
        {
            await EchoClient.AssertEchoesAsync(other, "other"u8.ToArray());
        }
        mine[0].Shutdown(SocketShutdown.Send);
        Assert.Empty(await EchoClient.ReceiveToEndAsync(mine[0]));
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Count() == 2, "two sessions ended");
        using (var again = await EchoClient.ConnectAsync(daemon.Endpoint))
        {
            await EchoClient.AssertEchoesAsync(again, "again"u8.ToArray());
        }

        Assert.Equal([RefusalReason.MaxSessionsPerSource], daemon.Events.OfType<SessionRefused>().Select(e => e.Reason));
        Assert.Equal(1, meter.Read($"{Rejected}[remotelogin.refusal=max_sessions_per_source]"));
        mine.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Openings_in_progress_are_capped_and_a_finished_handshake_makes_room()
    {
        // rlogin's opening waits for the client's handshake: two clients that send none hold two openings.
        await using var daemon = InProcessDaemon.Start(new DaemonOptions
        {
            Protocol = WireProtocol.Rlogin,
            Echo = BufferStrategy.Naive,
            MaxStartups = new StartupLimit(2, 100, 2),
        });
        using var first = await ConnectFromAsync(IPAddress.Loopback, daemon.Endpoint);
        using var second = await ConnectFromAsync(IPAddress.Loopback, daemon.Endpoint);
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionOpened>().Count() == 2, "two openings");

        using (var third = await ConnectFromAsync(IPAddress.Loopback, daemon.Endpoint))
        {
            Assert.Equal(0, await EchoClient.ReceiveOrResetAsync(third, new byte[16]));
        }
        Assert.Equal([RefusalReason.MaxStartups], daemon.Events.OfType<SessionRefused>().Select(e => e.Reason));

        // The first one's handshake done, it is served and no longer starting: a new client gets its opening.
        first.Send(LoginClient.RloginHandshake("me", "me", "xterm/38400"));
        Assert.Equal(0, (await EchoClient.ReceiveExactlyAsync(first, 1))[0]);
        // The \0 goes out inside the opening, before the session is served: an echo is what says it is served.
        first.Send("k"u8);
        Assert.Equal("k"u8.ToArray(), await EchoClient.ReceiveExactlyAsync(first, 1));
        using var fourth = await ConnectFromAsync(IPAddress.Loopback, daemon.Endpoint);
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionOpened>().Count() == 3, "the fourth's opening");
        Assert.Single(daemon.Events.OfType<SessionRefused>());
    }

    [Theory]
    [InlineData(99, 0.0, true)]     // below start: always
    [InlineData(100, 29.9, false)]  // at start: refused rate% of the time
    [InlineData(100, 30.1, true)]
    [InlineData(200, 64.9, false)]  // halfway to full: 30 + 70 / 2 = 65%
    [InlineData(200, 65.1, true)]
    [InlineData(300, 99.9, false)]  // at full: never
    public void Early_drop_grows_from_rate_at_start_to_all_at_full_as_sshd_does(int inProgress, double draw, bool admitted) =>
        Assert.Equal(admitted, new StartupLimit(100, 30, 300).Admits(inProgress, draw));

    [Theory]
    [InlineData("10:30:100", 10, 30, 100)]
    [InlineData("7", 7, 100, 7)]
    public void Max_startups_reads_as_sshd_writes_it(string text, int start, int rate, int full)
    {
        Assert.True(StartupLimit.TryParse(text, out var limit, out _));
        Assert.Equal(new StartupLimit(start, rate, full), limit);
    }

    [Theory]
    [InlineData("10:30")]
    [InlineData("10:0:100")]
    [InlineData("10:30:5")]
    [InlineData("x")]
    public void A_malformed_max_startups_is_an_error_that_says_what_is_wanted(string text)
    {
        Assert.False(StartupLimit.TryParse(text, out _, out var error));
        Assert.Contains(text, error);
    }

    [Theory]
    [InlineData(60, true)]
    [InlineData(0, false)]
    public async Task Every_session_has_tcp_keepalive_unless_it_is_turned_off(int seconds, bool expected)
    {
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { KeepAlive = TimeSpan.FromSeconds(seconds) });
        using var client = await EchoClient.ConnectAsync(daemon.Endpoint);
        await EchoClient.AssertEchoesAsync(client, "k"u8.ToArray());

        // ss shows the kernel's timer on the daemon's end of the connection: "timer:(keepalive,59sec,0)", once the
        // echo's retransmission timer ("timer:(on,...)") is off because the client has acknowledged it.
        string sockets = "";
        await Eventually.AssertAsync(() => !(sockets = Run("ss", $"-tnoH state established ( sport = :{daemon.Endpoint.Port} )")).Contains("timer:(on", StringComparison.Ordinal), "the echo acknowledged");
        Assert.Contains($":{((IPEndPoint)client.LocalEndPoint!).Port}", sockets);
        Assert.True(expected == sockets.Contains("keepalive", StringComparison.Ordinal), sockets);
    }

    [Theory]
    [InlineData(SubdaemonModel.Task)]
    [InlineData(SubdaemonModel.Thread)]
    [InlineData(SubdaemonModel.Process)]
    [InlineData(SubdaemonModel.Relay)]
    public async Task A_session_that_sends_nothing_for_the_idle_timeout_is_closed_after_its_echo_and_a_typing_one_is_not(SubdaemonModel model)
    {
        using var meter = new RecordedMeter();
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { Model = model, Echo = BufferStrategy.Batched, IdleTimeout = TimeSpan.FromSeconds(1) });
        using var quiet = await EchoClient.ConnectAsync(daemon.Endpoint);
        await EchoClient.AssertEchoesAsync(quiet, "once"u8.ToArray());
        using var typing = await EchoClient.ConnectAsync(daemon.Endpoint);

        // The quiet one gets a FIN (its echo was out before); the typing one, typing throughout, is still served.
        var closed = EchoClient.ReceiveToEndAsync(quiet);
        var clock = Stopwatch.StartNew();
        while (!closed.IsCompleted && clock.Elapsed < EchoClient.SafetyLimit)
        {
            await EchoClient.AssertEchoesAsync(typing, "t"u8.ToArray());
            await Task.Delay(50);
        }
        Assert.Empty(await closed);
        await EchoClient.AssertEchoesAsync(typing, "still"u8.ToArray());

        if (model != SubdaemonModel.Process)
        {
            // Under process the child raises it, on the stderr it shares with the daemon.
            await Eventually.AssertAsync(() => daemon.Events.OfType<SessionIdle>().Count() == 1, "one idle event");
            Assert.Equal(1, meter.Read($"{Rejected}[remotelogin.refusal=idle]"));
        }
    }

    private static async Task<Socket> ConnectFromAsync(IPAddress source, IPEndPoint daemon)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(daemon);
        return socket;
    }

    private static string Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
