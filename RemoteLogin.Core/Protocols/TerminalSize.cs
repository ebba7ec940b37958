namespace RemoteLogin.Protocols;

/// <summary>A terminal's size as TIOCGWINSZ and RFC 1282's window-size message give it.</summary>
public readonly record struct TerminalSize(ushort Rows, ushort Columns, ushort XPixels = 0, ushort YPixels = 0)
{
    /// <summary>What to report when there is no terminal to ask.</summary>
    public static TerminalSize Default => new(24, 80);
}
