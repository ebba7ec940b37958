namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// The kernel's text files under /proc and /sys, read so that an absent one (no cpufreq on a virtual machine, no
/// cpuidle in a container) is a null the caller names, never an exception: the environment header describes the
/// machine, it does not judge it.
/// </summary>
/// <param name="root">Where / is: a test points it at a tree of its own to see what absent sources read as.</param>
internal sealed class SystemFiles(string root)
{
    public static SystemFiles Host { get; } = new("/");

    /// <summary>What a field says when its source is absent.</summary>
    public static string Unavailable(string path) => $"unavailable ({path} absent)";

    /// <summary>The whole file, or null when it is absent or unreadable.</summary>
    public string? ReadAll(string path)
    {
        try
        {
            return File.ReadAllText(Resolve(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // ENOENT, and EIO or EINVAL from a sysfs attribute the driver does not implement
        }
    }

    /// <summary>The file's first line without surrounding white space, or null when it is absent, unreadable or empty.</summary>
    public string? ReadLine(string path) =>
        ReadAll(path) is { } text && text.Split('\n')[0].Trim() is { Length: > 0 } line ? line : null;

    /// <summary>The names in a directory, in ordinal order; none when it is absent.</summary>
    public IReadOnlyList<string> Entries(string directory)
    {
        try
        {
            var names = Directory.GetFileSystemEntries(Resolve(directory)).Select(Path.GetFileName).OfType<string>().ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private string Resolve(string path) => Path.Join(root, path);
}
