using System.Runtime.InteropServices;

namespace RemoteLogin.Native;

/// <summary>Signals other than SIGKILL: .NET's Process.Kill only knows SIGKILL, and a daemon deserves SIGTERM.</summary>
public static partial class Posix
{
    private const int SIGTERM = 15;

    public static void Terminate(int processId)
    {
        if (kill(processId, SIGTERM) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
