using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RemoteLogin.Processes;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Connect;

/// <summary>
/// <c>connect</c> in a real terminal (a tmux pane) against a socat echo: keys shown once, "~." ends the session, and
/// the terminal is left as it was found, also when the client is sent SIGTERM. The pane runs a script that records
/// <c>stty -g</c> before and after, the client's process id and its exit code, in files the test polls for.
/// </summary>
public sealed class TerminalConnectTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("remotelogin-connect-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Typed_keys_show_once_and_tilde_dot_ends_the_session_with_the_terminal_restored()
    {
        using var echo = await SocatEcho.StartAsync();
        using var pane = StartClientInPane(echo.Port);
        await pane.WaitForAsync(screen => screen.Contains("connected to 127.0.0.1:"), "the client's banner");

        pane.Type("hello");
        await pane.WaitForAsync(screen => screen.Contains("hello"), "the echo");
        // LF, not Enter: a CR echo would put the cursor back over "hello" and the closing lines would hide it.
        pane.Press("C-j");
        pane.Type("~.");

        int exitCode = await ExitCodeAsync();
        Assert.Equal(0, exitCode);
        Assert.Equal(await ReadAsync("before"), await ReadAsync("after"));
        var screen = pane.Capture();
        Assert.Single(Regex.Matches(screen, "hello"));
        Assert.Matches(@"connect: \d+ keystroke round trips, p50 \d+(\.\d+)? µs, p99 \d+(\.\d+)? µs", screen);
        Assert.Contains("connection to 127.0.0.1 closed", screen);
    }

    /// <summary>In raw mode Ctrl+C is a byte for the remote end, so SIGINT can only come from kill; it ends the session as SIGTERM does.</summary>
    [Theory]
    [InlineData("TERM", 15)]
    [InlineData("INT", 2)]
    [InlineData("HUP", 1)]
    public async Task A_signal_ends_the_session_with_the_terminal_restored(string signal, int number)
    {
        using var echo = await SocatEcho.StartAsync();
        using var pane = StartClientInPane(echo.Port);
        await pane.WaitForAsync(screen => screen.Contains("connected to 127.0.0.1:"), "the client's banner");
        pane.Type("abc");
        await pane.WaitForAsync(screen => screen.Contains("abc"), "the echo");

        using (var kill = Process.Start("kill", ["-s", signal, await ReadAsync("pid")]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        Assert.Equal(128 + number, await ExitCodeAsync());
        Assert.Equal(await ReadAsync("before"), await ReadAsync("after"));
        Assert.Contains($"connect: ended by SIG{signal}", pane.Capture());
    }

    /// <summary>rlogin at a terminal: the window size the server asks for with urgent data, and again after a resize (SIGWINCH).</summary>
    [Fact]
    public async Task Rlogin_reports_the_window_size_when_asked_and_again_after_a_resize()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var sizes = new List<(int Rows, int Columns)>();
        using var pane = StartClientInPane(((IPEndPoint)listener.LocalEndPoint!).Port, "--protocol", "rlogin");
        using var server = await listener.AcceptAsync();
        var serving = ServeRloginAsync(server, sizes);
        await pane.WaitForAsync(screen => screen.Contains("connected to 127.0.0.1:"), "the client's banner");

        var first = pane.Size();
        await WaitForSizeAsync(sizes, first);
        pane.Resize(100, 30);
        var second = pane.Size();
        Assert.NotEqual(first, second);
        await WaitForSizeAsync(sizes, second);

        pane.Type("rl");
        await pane.WaitForAsync(screen => screen.Contains("rl"), "the echo");
        pane.Press("C-j");
        pane.Type("~.");
        Assert.Equal(0, await ExitCodeAsync());
        Assert.Equal(await ReadAsync("before"), await ReadAsync("after"));
        await serving;
    }

    /// <summary>A scripted rlogin server: accepts, asks for the window size, echoes data and records the sizes it is told.</summary>
    private static async Task ServeRloginAsync(Socket server, List<(int Rows, int Columns)> sizes)
    {
        using var limit = new CancellationTokenSource(EchoClient.SafetyLimit);
        var buffer = new byte[4096];
        var handshake = new RloginHandshake();
        var status = RloginHandshakeStatus.NeedMore;
        while (status == RloginHandshakeStatus.NeedMore)
        {
            int received = await server.ReceiveAsync(buffer.AsMemory(0, 1), SocketFlags.None, limit.Token);
            Assert.Equal(1, received);
            status = handshake.Read(buffer.AsSpan(0, 1), out _);
        }
        Assert.Equal(RloginHandshakeStatus.Complete, status);
        await server.SendAsync(new byte[] { 0 }, SocketFlags.None, limit.Token);
        await server.SendAsync(new byte[] { RloginClient.SendWindowSize | RloginClient.RawMode }, SocketFlags.OutOfBand, limit.Token);
        var filter = new RloginWindowFilter();
        var sink = new RecordingSink(sizes);
        int count;
        while ((count = await server.ReceiveAsync(buffer, SocketFlags.None, limit.Token)) > 0)
        {
            sink.Data.Clear();
            filter.Read(buffer.AsSpan(0, count), sink);
            await server.SendAsync(sink.Data.ToArray(), SocketFlags.None, limit.Token);
        }
    }

    private static Task WaitForSizeAsync(List<(int Rows, int Columns)> sizes, (int Rows, int Columns) expected) =>
        Eventually.AssertAsync(
            () =>
            {
                lock (sizes)
                {
                    return sizes.Contains(expected);
                }
            },
            $"the server told the window size {expected}");

    private sealed class RecordingSink(List<(int Rows, int Columns)> sizes) : IRloginSink
    {
        public List<byte> Data { get; } = [];

        void IRloginSink.Data(ReadOnlySpan<byte> data) => Data.AddRange(data);

        public void WindowSize(ushort rows, ushort columns, ushort xPixels, ushort yPixels)
        {
            lock (sizes)
            {
                sizes.Add((rows, columns));
            }
        }
    }

    private TmuxPane StartClientInPane(int port, params string[] options)
    {
        var client = ChildStart.Sibling("RemoteLogin.Client", ["connect", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), .. options]);
        var command = string.Join(' ', new[] { client.FileName }.Concat(client.Arguments).Select(Quote));
        // The inner sh writes its pid and execs the client, so the pid is the client's. Files appear whole (mv).
        var script = $"""
            cd {Quote(_directory.FullName)} || exit 1
            stty -g > before.tmp && mv before.tmp before
            sh -c 'echo $$ > pid.tmp && mv pid.tmp pid && exec "$@"' client {command}
            echo $? > exit.tmp
            stty -g > after.tmp && mv after.tmp after && mv exit.tmp exit
            exec sleep 600
            """;
        var path = Path.Combine(_directory.FullName, "session.sh");
        File.WriteAllText(path, script + "\n");
        return TmuxPane.Start($"sh {Quote(path)}");
    }

    private async Task<int> ExitCodeAsync() => int.Parse(await ReadAsync("exit"), CultureInfo.InvariantCulture);

    /// <summary>A file the pane's script writes, once it is there; fails the test after a generous limit.</summary>
    private async Task<string> ReadAsync(string name)
    {
        var path = Path.Combine(_directory.FullName, name);
        await Eventually.AssertAsync(() => File.Exists(path), $"the pane's script writing {name}");
        return (await File.ReadAllTextAsync(path)).Trim();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
