using System.Runtime.InteropServices;
using RemoteLogin.Protocols;

namespace RemoteLogin.Client.Native;

/// <summary>
/// termios and the window size, straight from libc: .NET's Console only reaches them through its own line editor and
/// terminal initialisation (which writes keypad escapes to the terminal), and offers no raw mode.
/// </summary>
internal static unsafe partial class TerminalControl
{
    public const int StandardInput = 0;
    public const int StandardOutput = 1;

    /// <summary>
    /// Room for any libc's struct termios (glibc and musl: 60 bytes). The struct stays opaque here: only tcgetattr,
    /// cfmakeraw and tcsetattr read or write it, so its layout never has to be mirrored.
    /// </summary>
    public const int TermiosBytes = 256;

    /// <summary>Apply once output written so far has gone out, so nothing already shown is redrawn in the wrong mode.</summary>
    private const int TCSADRAIN = 1;

    /// <summary>As TCSADRAIN, and discard input not yet read: a server's terminal queries leave their answers there.</summary>
    private const int TCSAFLUSH = 2;

    private const nuint TIOCGWINSZ = 0x5413;

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    /// <summary>The terminal settings of <paramref name="fd"/>; false when it is not a terminal.</summary>
    public static bool TryGetAttributes(int fd, byte[] termios)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(termios.Length, TermiosBytes);
        fixed (byte* p = termios)
        {
            return tcgetattr(fd, p) == 0;
        }
    }

    /// <param name="discardInput">On the way back to the shell: what the terminal answered to a (perhaps hostile) server's
    /// queries and nobody read would otherwise be the shell's next command line.</param>
    public static bool TrySetAttributes(int fd, byte[] termios, bool discardInput = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(termios.Length, TermiosBytes);
        fixed (byte* p = termios)
        {
            return tcsetattr(fd, discardInput ? TCSAFLUSH : TCSADRAIN, p) == 0;
        }
    }

    /// <summary>No echo, no line editing, no signals from keys, no output processing, one byte per read.</summary>
    public static void MakeRaw(byte[] termios)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(termios.Length, TermiosBytes);
        fixed (byte* p = termios)
        {
            cfmakeraw(p);
        }
    }

    /// <summary>The size of the terminal on <paramref name="fd"/>, or null when it is not a terminal.</summary>
    public static TerminalSize? WindowSize(int fd)
    {
        WinSize size;
        if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.Rows == 0 || size.Columns == 0)
        {
            return null;
        }
        return new TerminalSize(size.Rows, size.Columns, size.XPixels, size.YPixels);
    }

    [LibraryImport("libc")]
    private static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport("libc")]
    private static partial int tcsetattr(int fd, int optionalActions, byte* termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw(byte* termios);

    [LibraryImport("libc")]
    private static partial int ioctl(int fd, nuint request, WinSize* size);
}
