using System.Diagnostics;
using System.Globalization;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// A detached tmux session, 80×24, on a server of its own (-L, a name per test, no user configuration): a real
/// terminal for programs that need one, driven with send-keys and read with capture-pane.
/// </summary>
public sealed class TmuxPane : IDisposable
{
    private readonly string _server = $"remotelogin-test-{Guid.NewGuid():N}";

    private TmuxPane()
    {
    }

    /// <summary>Runs <paramref name="shellCommand"/> (through sh) as the pane's only program.</summary>
    public static TmuxPane Start(string shellCommand)
    {
        var pane = new TmuxPane();
        pane.Run("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", shellCommand);
        return pane;
    }

    /// <summary>Types <paramref name="text"/> literally, as keys.</summary>
    public void Type(string text) => Run("send-keys", "-t", "0", "-l", text);

    /// <summary>Presses named keys, such as "C-j".</summary>
    public void Press(string key) => Run("send-keys", "-t", "0", key);

    public string Capture() => Run("capture-pane", "-t", "0", "-p");

    /// <summary>The pane's rows and columns, which the status line makes smaller than the window's.</summary>
    public (int Rows, int Columns) Size()
    {
        var parts = Run("display-message", "-t", "0", "-p", "#{pane_height} #{pane_width}").Split(' ', StringSplitOptions.TrimEntries);
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Resizes the window, so the program in the pane gets SIGWINCH.</summary>
    public void Resize(int columns, int rows) =>
        Run("resize-window", "-t", "0", "-x", columns.ToString(CultureInfo.InvariantCulture), "-y", rows.ToString(CultureInfo.InvariantCulture));

    /// <summary>Polls the pane until <paramref name="condition"/> holds; fails the test after a generous limit.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what)
    {
        var limit = Stopwatch.StartNew();
        while (true)
        {
            var screen = Capture();
            if (condition(screen))
            {
                return screen;
            }
            Assert.True(limit.Elapsed < EchoClient.SafetyLimit, $"the pane never showed {what}; it shows:\n{screen}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_server);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("tmux did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(EchoClient.SafetyLimit))
        {
            process.Kill();
            throw new TimeoutException($"tmux {string.Join(' ', arguments)} did not finish");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: exit {process.ExitCode}: {error.Result}");
        }
        return output.Result;
    }
}
