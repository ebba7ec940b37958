using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// A lab host reached over an open <see cref="SshConnection"/>, with the programs <see cref="RemoteInstall.Ensure"/>
/// put in <c>directory</c> there. Every program runs under the bench's tether, so closing the stdin of the ssh process
/// started here ends it there (SIGTERM, and its tree killed if it lingers). The connection stays the caller's: this
/// host removes only its own scratch folder when disposed.
/// </summary>
internal sealed class RemoteProgramHost(SshConnection ssh, string directory) : IProgramHost, IDisposable
{
    private readonly Lock _gate = new();
    private string? _scratch;

    public string Name => ssh.Target;

    public bool IsLocal => false;

    public ChildStart Program(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = new List<string> { $"{directory}/RemoteLogin.Bench", "tether" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            command.Add("--env");
            command.Add($"{name}={value}");
        }
        command.Add("--");
        command.Add($"{directory}/{program}");
        command.AddRange(arguments);
        return ssh.Command(command) with { Description = $"{program} on {Name}" };
    }

    /// <summary>In a folder of this host's own, made there (mktemp -d) the first time one is asked for.</summary>
    public string ScratchPath(string fileName)
    {
        lock (_gate)
        {
            _scratch ??= ssh.Run(["sh", "-c", """mktemp -d "${TMPDIR:-/tmp}/remotelogin-scratch.XXXXXXXX" """]).Trim();
        }
        return $"{_scratch}/{fileName}";
    }

    public void Fetch(string path, string localPath) => ssh.Fetch(path, localPath);

    /// <summary>Closes the ssh process's stdin: the tether on the host sees its stdin end and SIGTERMs the program.</summary>
    public void Terminate(ChildProcess started) => started.Input.Close();

    /// <summary>Removes the scratch folder, if one was made; the programs' files in it have been fetched by now.</summary>
    public void Dispose()
    {
        string? scratch;
        lock (_gate)
        {
            scratch = _scratch;
            _scratch = null;
        }
        if (scratch is not null)
        {
            ssh.Run(["rm", "-rf", "--", scratch]);
        }
    }
}
