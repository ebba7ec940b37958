using System.ComponentModel;
using System.Reflection;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// The commit the bench was built from. The .NET SDK's source control support writes it into every assembly's
/// informational version ("1.0.0+SHA") when the build runs in a git checkout; that survives a copy to a machine without
/// the source. Whether the work tree held uncommitted changes the build does not record, so that is asked of git at
/// run time, when the checkout the bench was built in is still there and still at that commit.
/// </summary>
internal static class BuildCommit
{
    private static readonly TimeSpan GitLimit = TimeSpan.FromSeconds(10);

    /// <summary>"SHA", "SHA-dirty", or "unavailable (why)".</summary>
    public static string Describe() => Describe(typeof(BuildCommit).Assembly, AppContext.BaseDirectory);

    public static string Describe(Assembly assembly, string buildDirectory)
    {
        string? embedded = Embedded(assembly);
        string? checkout = Checkout(buildDirectory);
        string? head = checkout is null ? null : Git(checkout, "rev-parse", "HEAD");
        string? commit = embedded ?? head;
        if (commit is null)
        {
            return $"unavailable (no source revision in {assembly.GetName().Name} and no git checkout above {buildDirectory})";
        }
        // Only a checkout still at the built commit says anything about the build's work tree.
        bool dirty = checkout is not null && head == commit
            && Git(checkout, "status", "--porcelain", "--untracked-files=no") is { Length: > 0 };
        return dirty ? commit + "-dirty" : commit;
    }

    private static string? Embedded(Assembly assembly)
    {
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = version?.IndexOf('+') ?? -1;
        return plus >= 0 && version!.Length > plus + 1 ? version[(plus + 1)..] : null;
    }

    /// <summary>The checkout holding the solution the build directory lies in, or null for a deployed copy.</summary>
    private static string? Checkout(string buildDirectory)
    {
        for (var directory = new DirectoryInfo(buildDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RemoteLogin.sln")))
            {
                // .git is a directory in a clone and a file in a worktree.
                string git = Path.Combine(directory.FullName, ".git");
                return Directory.Exists(git) || File.Exists(git) ? directory.FullName : null;
            }
        }
        return null;
    }

    /// <summary>git's trimmed output, or null when git is missing, fails or hangs: the commit is a description, not a requirement.</summary>
    private static string? Git(string checkout, params string[] arguments)
    {
        try
        {
            var git = ChildRun.Run(ChildStart.Stock("git", ["-C", checkout, .. arguments]), limit: GitLimit);
            return git.Succeeded ? git.StandardOutput.Trim() : null;
        }
        catch (Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
