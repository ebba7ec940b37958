using System.Globalization;

namespace RemoteLogin.Measurement;

/// <summary>The "Name:   value" lines of /proc/PID/status and /proc/PID/task/TID/status (proc(5)).</summary>
public static class ProcStatus
{
    /// <summary>
    /// The leading number of each named field, in the order asked ("VmRSS:  1234 kB" reads 1234), or null when the
    /// process or thread is gone (it may exit between listing it and reading it).
    /// </summary>
    public static long[]? ReadNumbers(string statusPath, params string[] fields)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(statusPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // ESRCH and ENOENT both read as IOException here
        }
        var numbers = new long[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            string prefix = fields[i] + ":";
            string line = lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                ?? throw new InvalidDataException($"{statusPath} has no {fields[i]} line");
            numbers[i] = long.Parse(line.AsSpan(prefix.Length).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return numbers;
    }
}
