using System.Diagnostics;
using System.Globalization;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// A program running in a real terminal: a tmux server of its own (<c>tmux -L</c>, a unique socket, no user config),
/// one detached session running a shell command, keys typed as keys, the screen read back. Disposing kills the server
/// and with it the program. A pane whose program exited stays readable (remain-on-exit), with its exit status.
/// </summary>
internal sealed class TmuxPane : IDisposable
{
    private readonly string _server;

    private TmuxPane(string server) => _server = server;

    /// <summary>Runs <paramref name="command"/> (through sh) as the pane's only program, in a window of the given size.</summary>
    public static TmuxPane Start(string command, int columns = 80, int rows = 24)
    {
        var pane = new TmuxPane($"remotelogin-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            pane.Tmux("-f", "/dev/null", "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
                "new-session", "-d", "-x", Number(columns), "-y", Number(rows), "--", command);
            return pane;
        }
        catch
        {
            pane.Dispose();
            throw;
        }
    }

    /// <summary>Types <paramref name="text"/> as literal keys (one key per character, in one tmux command).</summary>
    public void Type(string text) => Tmux("send-keys", "-l", "--", text);

    /// <summary>Presses one named key: Enter, C-j, C-], ...</summary>
    public void Press(string key) => Tmux("send-keys", "--", key);

    /// <summary>The screen's text, as capture-pane prints it.</summary>
    public string Capture() => Tmux("capture-pane", "-p");

    /// <summary>The screen with its cursor and the state of the pane's program.</summary>
    public Screen Look()
    {
        // One tmux command list, so the cursor and the text are read from the same state of the screen.
        string output = Tmux("display-message", "-p", "#{cursor_x} #{cursor_y} #{pane_dead} #{pane_dead_status}", ";", "capture-pane", "-p");
        string[] lines = output.Split('\n');
        string[] state = lines[0].Split(' ');
        return new Screen(
            lines[1..],
            int.Parse(state[0], CultureInfo.InvariantCulture),
            int.Parse(state[1], CultureInfo.InvariantCulture),
            state[2] == "1",
            state[3].Length > 0 ? int.Parse(state[3], CultureInfo.InvariantCulture) : null);
    }

    /// <summary>
    /// True once the program in the pane has put its terminal in character-at-a-time mode without local echo
    /// (-icanon -echo): from then on each key goes to the program as it is typed, and the terminal echoes nothing itself.
    /// </summary>
    public bool TerminalIsRaw()
    {
        string tty = Tmux("display-message", "-p", "#{pane_tty}").Trim();
        var settings = Run("stty", "-F", tty, "-a").Split([' ', ';', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return settings.Contains("-icanon") && settings.Contains("-echo");
    }

    /// <summary>The pane's rows and columns, which the status line makes smaller than the window's.</summary>
    public (int Rows, int Columns) Size()
    {
        var parts = Tmux("display-message", "-p", "#{pane_height} #{pane_width}").Split(' ', StringSplitOptions.TrimEntries);
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Resizes the window, so the program in the pane gets SIGWINCH.</summary>
    public void Resize(int columns, int rows) => Tmux("resize-window", "-x", Number(columns), "-y", Number(rows));

    /// <summary>Polls the screen's text until <paramref name="condition"/> holds; fails the test with the screen after a generous limit.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what) =>
        (await WaitUntilAsync(screen => condition(screen.Text), what)).Text;

    /// <summary>Polls the screen until <paramref name="condition"/> holds; fails the test with the screen after a generous limit.</summary>
    public async Task<Screen> WaitUntilAsync(Func<Screen, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var screen = Look();
            if (condition(screen))
            {
                return screen;
            }
            if (clock.Elapsed > Eventually.Generous)
            {
                Assert.Fail($"the pane never showed {what}; it shows:\n{screen}");
            }
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        string? socket = null;
        try
        {
            socket = Tmux("display-message", "-p", "#{socket_path}").Trim();
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // The server is gone already.
        }
        if (!string.IsNullOrEmpty(socket))
        {
            File.Delete(socket); // tmux leaves its socket file behind
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private string Tmux(params string[] arguments) => Run("tmux", ["-L", _server, .. arguments]);

    private static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment.Remove("TMUX"); // a test run from inside tmux still gets a server of its own
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Eventually.Generous))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        }
        return stdout.Result;
    }

    /// <summary>What the pane shows: its lines, where the cursor is, and whether its program has exited (and how).</summary>
    public sealed record Screen(string[] Lines, int CursorX, int CursorY, bool Dead, int? ExitStatus)
    {
        public string CursorLine => CursorY < Lines.Length ? Lines[CursorY] : "";

        public string Text => string.Join('\n', Lines);

        public override string ToString() => $"(cursor {CursorX},{CursorY}{(Dead ? $", exited {ExitStatus}" : "")})\n{Text.TrimEnd()}";
    }
}
