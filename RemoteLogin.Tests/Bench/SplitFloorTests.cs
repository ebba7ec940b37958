using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using RemoteLogin.Bench.Floor;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// The floors split over two hosts (issue 14): the echo half in one process, the ping half in another, started through
/// <see cref="IProgramHost"/>s. Here both hosts are this machine and the path is loopback; the halves, the processes and
/// the errors are the ones a lab run gets.
/// </summary>
public sealed class SplitFloorTests : IDisposable
{
    private static readonly TimeSpan Liveness = TimeSpan.FromMinutes(1);

    private readonly ScratchDirectory _scratch = new("split-floor");

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("blocking", 3000)]
    [InlineData("spin", 3000)]
    [InlineData("stream", 16 << 20)]
    public void Each_floor_measured_across_two_hosts_gives_its_figure(string name, long size)
    {
        Assert.True(VocabularyNames.TryParse<FloorKind>(name, out var kind));

        var floor = FloorProcess.MeasureAcross(kind, size, new LocalProgramHost(_scratch.Path), IPAddress.Loopback, new LocalProgramHost(_scratch.Path));

        Assert.Equal(kind, floor.Kind);
        if (kind == FloorKind.Stream)
        {
            Assert.True(floor.CharsPerSecond > 0);
            Assert.Null(floor.RttMicros);
        }
        else
        {
            Assert.Equal(size, floor.RttMicros!.Count);
            Assert.True(floor.RttMicros.P50 > 0);
            Assert.True(floor.RttMicros.P50 <= floor.RttMicros.P99);
            Assert.Null(floor.CharsPerSecond);
        }
    }

    [Fact]
    public void The_echo_role_serves_one_connection_and_then_exits()
    {
        using var echo = StartEcho("blocking", "127.0.0.1:0");
        var endpoint = ListeningOn(echo);

        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Connect(endpoint);
        first.Send([0x2A]);
        var reply = new byte[1];
        Assert.Equal(1, first.Receive(reply));
        Assert.Equal(0x2A, reply[0]);

        // Answered, so accepted: its listener is closed, and a second ping is refused rather than queued.
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = Assert.Throws<SocketException>(() => second.Connect(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        first.Shutdown(SocketShutdown.Send);
        Assert.True(echo.WaitForExit(Liveness), "the echo did not exit after its one connection ended");
        Assert.Equal(0, echo.ExitCode);
    }

    [Fact]
    public async Task An_echo_whose_port_is_taken_fails_in_one_line_naming_the_echo()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen(1);
        string address = taken.LocalEndPoint!.ToString()!;

        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", "floor", "--kind", "spin", "--role", "echo", "--listen", address);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("", outcome.StandardOutput);
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"floor: the spin floor's echo cannot listen on {address}: ", line);
    }

    [Fact]
    public void An_echo_address_not_on_this_machine_fails_naming_the_echo_and_its_host()
    {
        // In 198.18.0.0/15 and configured nowhere here: the bind fails locally, and nothing is sent anywhere.
        var absent = IPAddress.Parse("198.19.255.254");
        Assert.DoesNotContain(absent, NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address));
        var echoHost = new WatchedHost(new LocalProgramHost(_scratch.Path), "echo-host");

        var failure = Assert.Throws<InvalidOperationException>(
            () => FloorProcess.MeasureAcross(FloorKind.Blocking, 100, echoHost, absent, new WatchedHost(new LocalProgramHost(_scratch.Path), "ping-host")));

        Assert.StartsWith($"the blocking floor's echo on echo-host exited with 1; stderr: floor: the blocking floor's echo cannot listen on {absent}:0: ", failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Empty(echoHost.Terminated); // it ended by itself: nothing was left to end
    }

    [Fact]
    public async Task A_ping_whose_echo_is_gone_fails_in_one_line_naming_the_ping()
    {
        IPEndPoint endpoint;
        using (var echo = StartEcho("blocking", "127.0.0.1:0"))
        {
            endpoint = ListeningOn(echo);
            echo.Kill();
            Assert.True(echo.WaitForExit(Liveness));
        }

        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", "floor", "--kind", "blocking", "--role", "ping", "--connect", endpoint.ToString(), "--round-trips", "100");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("", outcome.StandardOutput);
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith($"floor: the blocking floor's ping cannot connect to the echo at {endpoint}: Connection refused", line);
    }

    [Fact]
    public void A_failing_ping_ends_the_echo_it_was_measuring_with()
    {
        var echoHost = new WatchedHost(new LocalProgramHost(_scratch.Path), "echo-host");

        // No round trips is a bad argument for the ping, which exits 2 without connecting: the echo waits on, listening.
        var failure = Assert.Throws<InvalidOperationException>(
            () => FloorProcess.MeasureAcross(FloorKind.Spin, 0, echoHost, IPAddress.Loopback, new WatchedHost(new LocalProgramHost(_scratch.Path), "ping-host")));

        Assert.StartsWith("the spin floor's ping on ping-host exited with 2; stderr: RemoteLogin.Bench: error: --round-trips", failure.Message);
        int echoPid = Assert.Single(echoHost.Terminated);
        Assert.False(Directory.Exists($"/proc/{echoPid}"), "the echo is still running");
    }

    [Fact]
    public async Task An_echo_that_no_ping_reaches_gives_up()
    {
        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", "floor", "--role", "echo", "--listen", "127.0.0.1:0", "--accept-seconds", "1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith("listening on 127.0.0.1:", outcome.StandardOutput);
        Assert.Matches(@"^floor: the blocking floor's echo got no connection on 127\.0\.0\.1:\d+ within 1 s; giving up$", Assert.Single(outcome.ErrorLines));
    }

    [Theory]
    [InlineData("--connect", "--role", "ping")]
    [InlineData("--ping-cpu", "--role", "echo", "--ping-cpu", "0")]
    [InlineData("--echo-cpu", "--role", "ping", "--connect", "127.0.0.1:9", "--echo-cpu", "0")]
    [InlineData("--listen", "--listen", "127.0.0.1:0")]
    public async Task Each_role_takes_only_its_own_options(string named, params string[] arguments)
    {
        var outcome = await ChildRun.RunAsync("RemoteLogin.Bench", ["floor", .. arguments]);

        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith($"RemoteLogin.Bench: error: {named}:", Assert.Single(outcome.ErrorLines));
    }

    private static ChildProcess StartEcho(string kind, string listen) =>
        ChildProcess.Start(ChildStart.Sibling("RemoteLogin.Bench", ["floor", "--kind", kind, "--role", "echo", "--listen", listen]));

    private static IPEndPoint ListeningOn(ChildProcess echo)
    {
        var line = echo.FirstLine(Liveness);
        Assert.StartsWith("listening on ", line);
        return IPEndPoint.Parse(line["listening on ".Length..]);
    }

    /// <summary>This machine under another name, remembering which processes it was asked to end.</summary>
    private sealed class WatchedHost(LocalProgramHost inner, string name) : IProgramHost
    {
        public List<int> Terminated { get; } = [];

        public string Name => name;

        public bool IsLocal => true;

        public ChildStart Program(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
            inner.Program(program, arguments, environment);

        public string ScratchPath(string fileName) => inner.ScratchPath(fileName);

        public void Fetch(string path, string localPath) => inner.Fetch(path, localPath);

        public void Terminate(ChildProcess started)
        {
            Terminated.Add(started.Id);
            inner.Terminate(started);
        }
    }
}
