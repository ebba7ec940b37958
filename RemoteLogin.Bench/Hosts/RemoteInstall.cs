using System.Security.Cryptography;
using System.Text;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// Puts on a lab host what runs there: RemoteLogin.Server, RemoteLogin.Client and RemoteLogin.Bench published
/// self-contained for its architecture (the host needs no .NET), side by side in one folder as the bench's siblings
/// are here. The folder is named by a hash of what was published, in the host's cache, so a build is copied once
/// per host and two builds never mix; nothing already there is ever removed.
/// </summary>
internal static class RemoteInstall
{
    /// <summary>Where the lab publish goes, below the repository: under bin/, which git ignores, apart from the Debug build's bin and obj.</summary>
    private static readonly string[] LabFolder = ["bin", "lab"];

    private static readonly string[] Programs = ["RemoteLogin.Server", "RemoteLogin.Client", "RemoteLogin.Bench"];

    /// <summary>Only a publish that hangs outlives this: a cold self-contained publish takes minutes on a busy machine.</summary>
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(20);

    /// <summary>What this process published already, by RID: a second lab host of the same kind takes the same folder.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> s_published = new();

    /// <summary>The folder on the host holding the three programs, copied there if this build is not yet.</summary>
    /// <param name="progress">Short lines for the user: publishing, copying, found.</param>
    public static string Ensure(SshConnection ssh, Action<string> progress)
    {
        string rid = RuntimeIdentifierOf(ssh);
        // One publish at a time per checkout, held until the copy is made: two benches (or two test classes) at once
        // would otherwise rewrite the folder the other is hashing or copying.
        using var exclusive = PublishLock(rid);
        string published = Published(rid, progress);
        string key = KeyOf(published);
        string cache = ssh.Run(["sh", "-c", """printf %s "${XDG_CACHE_HOME:-$HOME/.cache}" """]).Trim();
        if (!cache.StartsWith('/'))
        {
            throw new HostException(ssh.Target, $"no usable cache folder (XDG_CACHE_HOME or HOME gave '{cache}')");
        }
        string remote = $"{cache}/remotelogin/{key}";
        string found = ssh.Run(["sh", "-c", """if test -x "$1/RemoteLogin.Bench"; then echo present; fi""", "sh", remote]).Trim();
        if (found != "present")
        {
            long bytes = Directory.EnumerateFiles(published, "*", SearchOption.AllDirectories).Sum(file => new FileInfo(file).Length);
            progress($"copying {bytes / 1_000_000} MB to {ssh.Target}");
            ssh.Upload(published, remote);
        }
        progress($"{ssh.Target} has build {key}");
        return remote;
    }

    /// <summary>
    /// The same build for this machine. In a run with lab hosts the local programs run from it too, so every host runs
    /// one build (the bench itself may be a Debug build, or older than the sources the lab publish was made from).
    /// </summary>
    public static string PublishedHere(Action<string> progress)
    {
        string rid = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "linux-x64",
            System.Runtime.InteropServices.Architecture.Arm64 => "linux-arm64",
            var other => throw new InvalidOperationException($"this machine is {other}; the bench publishes for x64 and arm64"),
        };
        using var exclusive = PublishLock(rid);
        return Published(rid, progress);
    }

    /// <summary>The publish for <paramref name="rid"/>, made once per bench (the caller holds its lock).</summary>
    private static string Published(string rid, Action<string> progress)
    {
        if (!s_published.TryGetValue(rid, out var published))
        {
            progress($"publishing for {rid}");
            published = s_published[rid] = Publish(rid);
        }
        return published;
    }

    /// <summary>The .NET runtime identifier for the host's machine, from uname -m.</summary>
    public static string RuntimeIdentifierOf(SshConnection ssh)
    {
        string machine = ssh.Run(["uname", "-m"]).Trim();
        return machine switch
        {
            "x86_64" => "linux-x64",
            "aarch64" or "arm64" => "linux-arm64",
            _ => throw new HostException(ssh.Target, $"machine '{machine}' (uname -m) is neither x86_64 nor aarch64; the bench publishes for those"),
        };
    }

    /// <summary>
    /// Publishes the bench self-contained for <paramref name="rid"/> and returns the folder. Publishing the bench alone
    /// brings its two referenced programs along, each with its own apphost beside the shared runtime. The build runs
    /// with an artifacts path of its own, so its restore never touches the obj folders a Debug build uses, and is
    /// incremental: unchanged sources make the same files again, quickly.
    /// </summary>
    public static string Publish(string rid)
    {
        string root = RepositoryRoot();
        string lab = Path.Combine([root, .. LabFolder]);
        string output = Path.Combine(lab, "publish", rid);
        var publish = ChildRun.Run(
            ChildStart.Stock(
                Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
                "publish", Path.Combine(root, "RemoteLogin.Bench", "RemoteLogin.Bench.csproj"), "-c", "Release", "-r", rid,
                "--self-contained", "--artifacts-path", lab, "-o", output, "-nologo"),
            limit: PublishLimit);
        if (!publish.Succeeded)
        {
            // dotnet writes its errors on stdout: the last words of both say what went wrong.
            var said = StderrTail.Lines(publish.StandardOutput + publish.StandardError, 3);
            string how = publish.Hung ? $"did not finish within {PublishLimit.TotalMinutes:0} minutes" : $"failed (exit {publish.ExitCode})";
            throw new InvalidOperationException($"dotnet publish for {rid} {how}: {string.Join(" | ", said)}");
        }
        foreach (var program in Programs)
        {
            if (!File.Exists(Path.Combine(output, program)))
            {
                throw new InvalidOperationException($"dotnet publish for {rid} made no {program} in {output}");
            }
        }
        return output;
    }

    private static FileStream PublishLock(string rid)
    {
        string lab = Path.Combine([RepositoryRoot(), .. LabFolder]);
        Directory.CreateDirectory(lab);
        string path = Path.Combine(lab, $"publish-{rid}.lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(20);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200); // another publish holds it
            }
        }
    }

    /// <summary>16 hex digits of a SHA-256 over every file's relative path and bytes, in path order: the same build, the same key.</summary>
    public static string KeyOf(string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(file => (Relative: Path.GetRelativePath(directory, file).Replace('\\', '/'), Full: file))
            .OrderBy(file => file.Relative, StringComparer.Ordinal);
        Span<byte> length = stackalloc byte[sizeof(long)];
        foreach (var (relative, full) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(relative + "\0"));
            byte[] bytes = File.ReadAllBytes(full);
            // The length first: no two lists of files can hash the same stream of bytes.
            BitConverter.TryWriteBytes(length, (long)bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>The checkout this bench was built from: the lab publish is made from its sources.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RemoteLogin.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException(
            $"a lab host needs a self-contained publish, made from the RemoteLogin sources, but there is no RemoteLogin.sln above {AppContext.BaseDirectory}; run the bench from a build in a checkout");
    }
}
