using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RemoteLogin.Processes;
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
        Assert.Matches(@"connect: \d+ keystroke round trips, p50 \d+ µs, p99 \d+ µs", screen);
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

    private TmuxPane StartClientInPane(int port)
    {
        var client = SiblingProgram.StartInfo("RemoteLogin.Client", ["connect", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture)]);
        var command = string.Join(' ', new[] { client.FileName }.Concat(client.ArgumentList).Select(Quote));
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
        var limit = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            Assert.True(limit.Elapsed < EchoClient.SafetyLimit, $"the pane's script never wrote {name}");
            await Task.Delay(50);
        }
        return (await File.ReadAllTextAsync(path)).Trim();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
