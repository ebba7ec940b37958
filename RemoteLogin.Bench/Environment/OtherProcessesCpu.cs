using System.Diagnostics;
using System.Globalization;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// CPU time used between two points by the processes that are neither in one process tree (by default the bench's:
/// itself and all its descendants, the daemons, their subdaemon children, the load clients, perf) nor kernel threads:
/// on a shared machine, what else competed for the CPUs while the figures were taken.
/// </summary>
/// <remarks>
/// From utime + stime of /proc/PID/stat, which covers all of a process's threads. A process started between the two
/// points counts from 0. A process that exits between them is missed entirely: its time goes to its parent's
/// cutime only once reaped, and only the parent's own time is read. The tree is taken at both points, so a process
/// that left it in between (its parent died and it was reparented) still counts as the tree's.
/// </remarks>
internal sealed class OtherProcessesCpu
{
    private const uint PF_KTHREAD = 0x00200000;

    // /proc/PID/stat counts in USER_HZ, which Linux's user-space ABI fixes at 100 on x86 and arm whatever the kernel's HZ.
    private const double TicksPerSecond = 100;

    private readonly int _root;
    private readonly long _started;
    private readonly Dictionary<ProcessKey, ProcessTicks> _before;
    private readonly HashSet<string> _ourFolders;

    private OtherProcessesCpu(int root, long started, Dictionary<ProcessKey, ProcessTicks> before, HashSet<string> ourFolders)
    {
        _root = root;
        _started = started;
        _before = before;
        _ourFolders = ourFolders;
    }

    /// <summary>What one outside process used between the two points.</summary>
    public sealed record ProcessUsage(int ProcessId, string Command, double CpuSeconds);

    /// <summary>The total in percent of one core over the elapsed time, and the processes that made it up, busiest first.</summary>
    public sealed record Usage(double PercentOfOneCore, TimeSpan Elapsed, IReadOnlyList<ProcessUsage> Processes);

    /// <param name="rootProcessId">The root of the tree that does not count; this process unless given.</param>
    /// <param name="ourFolders">
    /// Folders of this run's own programs: a process whose executable is in one does not count either, wherever it was
    /// started from (a lab host's daemon is started by its sshd, not by the bench; emulated lab hosts share this machine).
    /// </param>
    public static OtherProcessesCpu Start(int? rootProcessId = null, IEnumerable<string>? ourFolders = null)
    {
        int root = rootProcessId ?? Environment.ProcessId;
        var folders = (ourFolders ?? []).Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f))).ToHashSet(StringComparer.Ordinal);
        return new OtherProcessesCpu(root, Stopwatch.GetTimestamp(), Snapshot(), folders);
    }

    /// <summary>CPU used by the other processes since <see cref="Start"/>, in percent of one core (200 is both cores of a 2-core machine).</summary>
    public double Stop() => StopWithBreakdown().PercentOfOneCore;

    /// <summary>As <see cref="Stop"/>, with the processes that used it: what to name when a run was disturbed.</summary>
    public Usage StopWithBreakdown()
    {
        var after = Snapshot();
        var elapsed = Stopwatch.GetElapsedTime(_started);
        var tree = TreeOf(_root, _before);
        tree.UnionWith(TreeOf(_root, after));

        var processes = new List<ProcessUsage>();
        long totalTicks = 0;
        foreach (var (key, now) in after)
        {
            if (now.IsKernelThread || tree.Contains(key))
            {
                continue;
            }
            long ticks = now.Ticks - (_before.TryGetValue(key, out var then) ? then.Ticks : 0);
            if (ticks > 0 && !IsOurs(key.ProcessId))
            {
                totalTicks += ticks;
                processes.Add(new ProcessUsage(key.ProcessId, now.Command, ticks / TicksPerSecond));
            }
        }
        processes.Sort((a, b) => b.CpuSeconds.CompareTo(a.CpuSeconds));
        double percent = elapsed > TimeSpan.Zero ? 100 * totalTicks / TicksPerSecond / elapsed.TotalSeconds : 0;
        return new Usage(percent, elapsed, processes);
    }

    private bool IsOurs(int processId)
    {
        if (_ourFolders.Count == 0)
        {
            return false;
        }
        try
        {
            string? executable = new FileInfo($"/proc/{processId}/exe").LinkTarget;
            return executable is not null && Path.GetDirectoryName(executable) is { } folder && _ourFolders.Contains(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone, or not ours to read: it counts, as it did before
        }
    }

    /// <summary>A process, told apart from a later one that got the same pid by its start time (clock ticks after boot).</summary>
    private readonly record struct ProcessKey(int ProcessId, ulong StartTime);

    private sealed record ProcessTicks(int ParentProcessId, bool IsKernelThread, long Ticks, string Command);

    private static HashSet<ProcessKey> TreeOf(int root, Dictionary<ProcessKey, ProcessTicks> processes)
    {
        var childrenOf = processes.ToLookup(p => p.Value.ParentProcessId, p => p.Key);
        var tree = new HashSet<ProcessKey>();
        var pending = new Stack<int>([root]);
        foreach (var key in processes.Keys.Where(k => k.ProcessId == root))
        {
            tree.Add(key);
        }
        while (pending.TryPop(out int parent))
        {
            foreach (var child in childrenOf[parent])
            {
                if (tree.Add(child))
                {
                    pending.Push(child.ProcessId);
                }
            }
        }
        return tree;
    }

    private static Dictionary<ProcessKey, ProcessTicks> Snapshot()
    {
        var processes = new Dictionary<ProcessKey, ProcessTicks>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && Read(pid) is (var key, var ticks))
            {
                processes[key] = ticks;
            }
        }
        return processes;
    }

    private static (ProcessKey, ProcessTicks)? Read(int pid)
    {
        string line;
        try
        {
            line = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // exited between listing /proc and reading it
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
        int open = line.IndexOf('(');
        int close = line.LastIndexOf(')');
        var fields = line[(close + 2)..].Split(' ');
        // Fields of proc_pid_stat(5) less 3: ppid is field 4, flags 9, utime 14, stime 15, starttime 22.
        int parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
        uint flags = uint.Parse(fields[6], CultureInfo.InvariantCulture);
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        ulong startTime = ulong.Parse(fields[19], CultureInfo.InvariantCulture);
        return (new ProcessKey(pid, startTime), new ProcessTicks(parent, (flags & PF_KTHREAD) != 0, ticks, line[(open + 1)..close]));
    }
}
