using System.Globalization;
using RemoteLogin.Measurement;

namespace RemoteLogin.Tests.Support;

/// <summary>What Linux's /proc says about a process: its state, its parent, its children, its command line, threads and open descriptors.</summary>
internal static class ProcFs
{
    /// <summary>
    /// One line of /proc/PID/stat. <see cref="StartTime"/> (clock ticks after boot) tells a process from a later one
    /// that got the same pid.
    /// </summary>
    public sealed record ProcessStat(int ProcessId, char State, int ParentProcessId, ulong StartTime)
    {
        public bool IsZombie => State == 'Z';
    }

    /// <summary>The process now, or null when there is no process with that pid.</summary>
    public static ProcessStat? Stat(int processId)
    {
        string line;
        try
        {
            line = File.ReadAllText($"/proc/{processId}/stat");
        }
        catch (IOException)
        {
            return null; // gone, possibly between listing /proc and reading it (ESRCH reads as an IOException)
        }
        // "pid (comm) state ppid ... starttime ...": comm may hold spaces and parentheses, so count from the last ')'.
        var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcessStat(
            processId,
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            ulong.Parse(fields[19], CultureInfo.InvariantCulture)); // field 22 of stat(5), the 20th after comm
    }

    /// <summary>True while the process <paramref name="process"/> describes still exists, zombie or not (not a later one with its pid).</summary>
    public static bool Exists(ProcessStat process) => Stat(process.ProcessId) is { } now && now.StartTime == process.StartTime;

    /// <summary>Every process whose parent is <paramref name="parentProcessId"/>, zombies included.</summary>
    public static IReadOnlyList<ProcessStat> ChildrenOf(int parentProcessId)
    {
        var children = new List<ProcessStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && Stat(pid) is { } stat && stat.ParentProcessId == parentProcessId)
            {
                children.Add(stat);
            }
        }
        return children;
    }

    /// <summary>The process's command line, its arguments joined by spaces; empty once it is gone.</summary>
    public static string CommandLine(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The names of the process's threads (comm of each task); none once it is gone.</summary>
    public static IReadOnlyList<string> ThreadNames(int processId)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{processId}/task");
        }
        catch (IOException)
        {
            return []; // gone
        }
        var names = new List<string>();
        foreach (var task in tasks)
        {
            try
            {
                names.Add(File.ReadAllText($"{task}/comm").TrimEnd('\n'));
            }
            catch (IOException)
            {
                // the thread ended between the listing and its read
            }
        }
        return names;
    }

    /// <summary>One open descriptor: its number and what it leads to ("socket:[inode]", "pipe:[inode]", a file's path).</summary>
    public sealed record Descriptor(int Number, string Target)
    {
        public override string ToString() => $"{Number} -> {Target}";
    }

    /// <summary>The process's open descriptors, from /proc/PID/fd.</summary>
    public static IReadOnlyList<Descriptor> Descriptors(int processId)
    {
        var descriptors = new List<Descriptor>();
        foreach (var entry in Directory.GetFileSystemEntries($"/proc/{processId}/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            if (target is not null)
            {
                descriptors.Add(new Descriptor(int.Parse(Path.GetFileName(entry), CultureInfo.InvariantCulture), target));
            }
        }
        return descriptors;
    }

    /// <summary>The process's resident set size in kB (VmRSS of /proc/PID/status).</summary>
    public static long ResidentKilobytes(int processId) =>
        ProcStatus.ReadNumbers($"/proc/{processId}/status", "VmRSS")?[0] ?? throw new InvalidOperationException($"process {processId} is gone");
}
