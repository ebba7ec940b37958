using System.Globalization;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>The kernel's list format for CPU sets, as in Cpus_allowed_list of /proc/PID/status: "0-3,8,10-11".</summary>
internal static class CpuList
{
    public static IReadOnlyList<int> Parse(string list)
    {
        var cpus = new SortedSet<int>();
        foreach (var range in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = range.IndexOf('-');
            int first = int.Parse(dash < 0 ? range : range[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
            int last = dash < 0 ? first : int.Parse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            for (int cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }
        return cpus.ToList();
    }

    /// <summary>The CPUs a process's or thread's status file (/proc/PID/status, /proc/PID/task/TID/status) allows it, or null once it is gone.</summary>
    public static IReadOnlyList<int>? Allowed(string statusPath)
    {
        const string Field = "Cpus_allowed_list:";
        try
        {
            string? line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith(Field, StringComparison.Ordinal));
            return line is null ? throw new InvalidDataException($"{statusPath} has no {Field} line") : Parse(line[Field.Length..]);
        }
        catch (IOException)
        {
            return null; // ESRCH and ENOENT both read as IOException here
        }
    }
}
