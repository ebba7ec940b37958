using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace RemoteLogin.Server.Native;

/// <summary>
/// A few descriptors held back from the process's limit while it has room, let go the moment anything meets EMFILE.
/// Out of descriptors the runtime itself still needs one now and then (naming a new pool thread opens
/// /proc/self/task/N/comm, an assembly loads, a log line is first written) and without one it fails fast with "Out of
/// memory". The accept loop takes a connection only while it can hold the reserve, so an accept never takes that room.
/// </summary>
internal static class DescriptorReserve
{
    private const int Count = 8;
    /// <summary>How long a released reserve stays the runtime's: what it loads on a failure path, it loads right after the failure.</summary>
    private static readonly TimeSpan Lent = TimeSpan.FromSeconds(1);
    private static readonly Lock Gate = new();
    private static readonly List<SafeFileHandle> Held = [];
    private static long _lentUntil; // a Stopwatch timestamp

    /// <summary>
    /// Hold the whole reserve (no system call once it is); false, holding none, within <see cref="Lent"/> of a release
    /// or while the process cannot open that many more.
    /// </summary>
    public static bool TryHold()
    {
        lock (Gate)
        {
            if (Held.Count == Count)
            {
                return true;
            }
            if (Stopwatch.GetTimestamp() < _lentUntil)
            {
                return false;
            }
            try
            {
                while (Held.Count < Count)
                {
                    Held.Add(File.OpenHandle("/dev/null"));
                }
                return true;
            }
            catch (IOException)
            {
                ReleaseHeld();
                return false;
            }
        }
    }

    /// <summary>Give the reserve back to the process: something just met EMFILE.</summary>
    public static void Release()
    {
        lock (Gate)
        {
            ReleaseHeld();
            _lentUntil = Stopwatch.GetTimestamp() + (long)(Lent.TotalSeconds * Stopwatch.Frequency);
        }
    }

    private static void ReleaseHeld()
    {
        foreach (var handle in Held)
        {
            handle.Dispose();
        }
        Held.Clear();
    }
}
