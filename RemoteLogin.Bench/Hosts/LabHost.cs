using System.Net;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// A lab machine ready for the bench: one ssh connection for the whole run, the programs installed there (no .NET SDK
/// needed on it), and the bench's companion running there.
/// </summary>
internal sealed class LabHost : IDisposable
{
    private readonly SshConnection _ssh;

    private LabHost(SshConnection ssh, RemoteProgramHost programs, CompanionClient agent, IPAddress address)
    {
        _ssh = ssh;
        Programs = programs;
        Agent = agent;
        Address = address;
    }

    public string Name => _ssh.Target;

    public RemoteProgramHost Programs { get; }

    /// <summary>Where the build is on the host: its programs run from there.</summary>
    public required string InstallDirectory { get; init; }

    public CompanionClient Agent { get; }

    /// <summary>This host's end of the data path: the address the bench reached it by over ssh, unless given.</summary>
    public IPAddress Address { get; }

    /// <param name="dataAddress">The host's address for the data path when it differs from the one ssh reaches it by.</param>
    public static LabHost Open(string target, string? sshConfig, IPAddress? dataAddress, CpuIdle cpuIdle, Action<string> progress)
    {
        progress($"connecting to {target}");
        var ssh = SshConnection.Open(target, sshConfig);
        RemoteProgramHost? programs = null;
        try
        {
            var address = dataAddress ?? ReachedBy(ssh);
            string installed = RemoteInstall.Ensure(ssh, progress);
            programs = new RemoteProgramHost(ssh, installed);
            var agent = CompanionClient.Start(programs, address, cpuIdle);
            return new LabHost(ssh, programs, agent, address) { InstallDirectory = installed };
        }
        catch
        {
            programs?.Dispose();
            ssh.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The address this host was reached at, as its sshd saw it (the third word of SSH_CONNECTION): the one its
    /// daemon listens on, so the keystrokes take the path the ssh connection took.
    /// </summary>
    private static IPAddress ReachedBy(SshConnection ssh)
    {
        string line = ssh.Run(["sh", "-c", "echo $SSH_CONNECTION"]).Trim();
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 4 || !IPAddress.TryParse(words[2], out var address))
        {
            throw new HostException(ssh.Target, $"cannot tell the address it was reached by (SSH_CONNECTION is '{line}'); give it with --data-address");
        }
        return address;
    }

    public void Dispose()
    {
        Agent.Dispose();
        Programs.Dispose();
        _ssh.Dispose();
    }
}
