using System.Text;
using Microsoft.Win32.SafeHandles;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// Standard input, output and error as plain file descriptors. System.Console would read a terminal through its own
/// line editor, and on first use writes keypad escapes to the terminal, which a raw session must not have done to it.
/// Unbuffered: every write is one write(2), so an echo shows the moment it arrives.
/// </summary>
internal static class StandardStreams
{
    public static Stream Input { get; } = Open(0, FileAccess.Read);

    public static Stream Output { get; } = Open(1, FileAccess.Write);

    public static Stream Error { get; } = Open(2, FileAccess.Write);

    /// <summary>One line to standard error; a closed stderr is not worth failing for.</summary>
    public static void ErrorLine(string text)
    {
        try
        {
            Error.Write(Encoding.UTF8.GetBytes(text + "\n"));
        }
        catch (IOException)
        {
        }
    }

    private static FileStream Open(int fd, FileAccess access) =>
        new(new SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);
}
