using System.Runtime.InteropServices;

namespace RemoteLogin.Native;

/// <summary>Signals other than SIGKILL: .NET's Process.Kill only knows SIGKILL, and a daemon deserves SIGTERM, perf SIGINT.</summary>
public static partial class Posix
{
    private const int SIGINT = 2;
    private const int SIGTERM = 15;

    public static void Terminate(int processId) => Signal(processId, SIGTERM, nameof(SIGTERM));

    /// <summary>SIGINT, as Ctrl-C would: what makes perf stat print its counts and exit.</summary>
    public static void Interrupt(int processId) => Signal(processId, SIGINT, nameof(SIGINT));

    private static void Signal(int processId, int signal, string name)
    {
        if (kill(processId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
