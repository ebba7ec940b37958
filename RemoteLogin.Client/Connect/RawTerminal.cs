using RemoteLogin.Client.Native;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// The terminal on standard input in raw mode, and put back exactly as it was, once, by whichever comes first: the
/// session's end, the process exiting, or a crash. Restoring twice would be harmless but restoring late (after the
/// shell has taken the terminal back) would not, hence the once.
/// </summary>
internal sealed class RawTerminal : IDisposable
{
    private readonly byte[] _saved;
    private int _restored;

    private RawTerminal(byte[] saved)
    {
        _saved = saved;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
    }

    /// <summary>Raw mode, or null when standard input is not a terminal (or refuses the change).</summary>
    public static RawTerminal? TryEnter()
    {
        var saved = new byte[TerminalControl.TermiosBytes];
        if (!TerminalControl.TryGetAttributes(TerminalControl.StandardInput, saved))
        {
            return null;
        }
        var raw = (byte[])saved.Clone();
        TerminalControl.MakeRaw(raw);
        // Hooked before the change, so no path can leave the terminal raw.
        var terminal = new RawTerminal(saved);
        if (!TerminalControl.TrySetAttributes(TerminalControl.StandardInput, raw))
        {
            terminal.Dispose();
            return null;
        }
        return terminal;
    }

    /// <summary>True when standard input is a terminal (tcgetattr works on it).</summary>
    public static bool IsInputTerminal() =>
        TerminalControl.TryGetAttributes(TerminalControl.StandardInput, new byte[TerminalControl.TermiosBytes]);

    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0)
        {
            TerminalControl.TrySetAttributes(TerminalControl.StandardInput, _saved, discardInput: true);
        }
    }

    public void Dispose()
    {
        Restore();
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Restore();

    private void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e) => Restore();
}
