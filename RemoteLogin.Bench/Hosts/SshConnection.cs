using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// One OpenSSH connection to a lab host, opened once and shared by everything the bench runs there: a ControlMaster
/// that is a child process of the bench, with the user's own keys and ssh configuration, and every remote command a
/// session multiplexed over it. One connection means one authentication, one TCP stream whose traffic is only ours,
/// and one thing to close at the end. The master sends no keepalives, so ssh is silent while a run is timed.
/// </summary>
internal sealed class SshConnection : IDisposable
{
    /// <summary>Connecting and authenticating, generously: ConnectTimeout bounds the TCP part, this the whole.</summary>
    private static readonly TimeSpan OpenLimit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan CloseLimit = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _controlDirectory;
    private readonly string _controlPath;
    private readonly string? _configFile;
    private readonly ChildProcess _master;
    private bool _disposed;

    private SshConnection(string target, string? configFile, DirectoryInfo controlDirectory, ChildProcess master)
    {
        Target = target;
        _configFile = configFile;
        _controlDirectory = controlDirectory;
        _controlPath = Path.Combine(controlDirectory.FullName, "control");
        _master = master;
    }

    /// <summary>[USER@]HOST, as the user gave it (an alias of their ssh configuration is fine).</summary>
    public string Target { get; }

    /// <summary>
    /// Connects and authenticates, or throws <see cref="HostException"/> with why in one line: connection refused,
    /// unreachable, authentication failed, host key unknown or changed, host name not resolved, or ssh's own last word.
    /// </summary>
    /// <param name="configFile">An ssh_config to use instead of the user's (ssh -F); the tests' throwaway server has one.</param>
    public static SshConnection Open(string target, string? configFile = null)
    {
        // A private folder (0700) for the control socket: whoever can reach the socket can run commands as us there.
        var controlDirectory = Directory.CreateTempSubdirectory("remotelogin-ssh-");
        string controlPath = Path.Combine(controlDirectory.FullName, "control");
        // ControlPersist=no: the master lives exactly as long as this process keeps it; ServerAliveInterval=0: no
        // keepalive packets inside a timed run. It runs under the bench's tether, here as on a lab host: a bench that
        // dies any way at all (SIGKILL included) closes the tether's stdin, which ends the master, and with it every
        // session and every remote program of the run.
        List<string> master = ["ssh", "-M", "-N", "-S", controlPath, "-o", "ControlPersist=no", "-o", "BatchMode=yes",
            "-o", "ServerAliveInterval=0", "-o", "ConnectTimeout=10"];
        AddConfig(master, configFile);
        master.Add(target);
        var tethered = ChildProcess.Start(ChildStart.Sibling("RemoteLogin.Bench", ["tether", "--", .. master]) with { Description = $"the ssh connection to {target}" });
        _ = tethered.Output.ReadToEndAsync(); // -N: nothing comes, but the pipe must never fill
        var connection = new SshConnection(target, configFile, controlDirectory, tethered);
        try
        {
            connection.WaitUntilReady();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    /// <summary>
    /// <paramref name="remoteCommand"/> on the host, over this connection, with no terminal: the standard streams of the
    /// ssh started here are the remote program's. ssh joins the words into one line for the user's login shell there,
    /// so each word is quoted for it and arrives as it is here.
    /// </summary>
    public ChildStart Command(IReadOnlyList<string> remoteCommand)
    {
        ThrowIfGone();
        // ControlMaster=no: a session never becomes a master of its own. ProxyCommand=false: were the master's socket
        // gone, ssh would quietly dial a second connection; a proxy that fails at once makes that an error instead
        // (a multiplexed session never uses the proxy). -T: no terminal, so the remote program sees pipes, as here.
        List<string> arguments = ["-S", _controlPath, "-o", "ControlMaster=no", "-o", "ProxyCommand=false", "-o", "BatchMode=yes", "-T", "-x"];
        AddConfig(arguments, _configFile);
        arguments.Add(Target);
        arguments.Add("--");
        arguments.AddRange(remoteCommand.Select(Quote));
        return ChildStart.Stock("ssh", arguments) with { Description = $"'{Shortened(string.Join(' ', remoteCommand))}' on {Target}" };
    }

    /// <summary>Runs <paramref name="remoteCommand"/> to its end with nothing on its stdin and returns its stdout; a nonzero exit is a <see cref="HostException"/>.</summary>
    public string Run(IReadOnlyList<string> remoteCommand, TimeSpan? timeout = null) =>
        Check(ChildRun.Run(Command(remoteCommand), limit: timeout ?? CommandLimit), remoteCommand).StandardOutput;

    /// <summary>
    /// Copies <paramref name="localDirectory"/>'s contents (modes kept) to <paramref name="remoteDirectory"/>, which must
    /// not exist yet. The copy lands in a sibling folder first and is renamed into place only when complete, so one cut
    /// short never looks like a finished copy; if another copy got there first, ours is dropped.
    /// </summary>
    public void Upload(string localDirectory, string remoteDirectory, TimeSpan? timeout = null)
    {
        string partial = $"{remoteDirectory}.partial-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        const string script = """
            set -e
            mkdir -p -- "$(dirname -- "$1")"
            mkdir -- "$2"
            trap 'rm -rf -- "$2"' EXIT
            tar -x -f - -C "$2"
            mv -T -- "$2" "$1" 2>/dev/null || test -d "$1"
            """;
        string[] command = ["sh", "-c", script, "sh", remoteDirectory, partial];
        var tar = ChildInput.Stream(stdin => TarFile.CreateFromDirectoryAsync(localDirectory, stdin, includeBaseDirectory: false));
        Check(ChildRun.Run(Command(command), tar, timeout ?? TimeSpan.FromMinutes(20)), ["upload", remoteDirectory]);
    }

    /// <summary>Copies the file at <paramref name="remotePath"/> on the host to <paramref name="localPath"/>, byte for byte; no file is left when it fails.</summary>
    public void Fetch(string remotePath, string localPath, TimeSpan? timeout = null)
    {
        string[] command = ["cat", "--", remotePath];
        File.WriteAllBytes(localPath, Check(ChildRun.Run(Command(command), limit: timeout ?? CommandLimit), command).Output);
    }

    /// <summary>Asks the master to exit (which ends every session over it), waits for it, and removes the control folder.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_master.HasExited && File.Exists(_controlPath))
        {
            ControlSucceeds("exit");
        }
        if (!_master.HasExited)
        {
            // The tether's stdin ends: it SIGTERMs ssh. Killing the tether alone would leave ssh running (it never
            // reads its stdin), so only its whole tree is killed (by the dispose), and only if that did not work.
            _master.Input.Close();
            _master.WaitForExit(CloseLimit);
        }
        _master.Dispose();
        _controlDirectory.Delete(recursive: true);
    }

    /// <summary>The word in single quotes for a POSIX shell, each ' in it as '\'' (close, escaped quote, reopen).</summary>
    internal static string Quote(string word) => "'" + word.Replace("'", @"'\''", StringComparison.Ordinal) + "'";

    /// <summary>ssh's stderr as one line: what kind of failure it is, in the user's words for it.</summary>
    internal static string Classify(IReadOnlyList<string> stderrLines, string otherwise)
    {
        var lines = stderrLines.Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
        string? Find(string text) =>
            lines.FirstOrDefault(line => line.Contains(text, StringComparison.OrdinalIgnoreCase));
        if (Find("tether: cannot start ssh") is not null)
        {
            return "cannot run ssh here; install the OpenSSH client (Debian: openssh-client)";
        }
        if (Find("Connection refused") is not null)
        {
            return "ssh refused: connection refused (no sshd on that port?)";
        }
        foreach (var unreachable in new[] { "No route to host", "Network is unreachable", "timed out" })
        {
            if (Find(unreachable) is not null)
            {
                return $"unreachable: {unreachable.ToLowerInvariant()}";
            }
        }
        if (Find("Could not resolve hostname") is not null)
        {
            return "could not resolve hostname";
        }
        if (Find("IDENTIFICATION HAS CHANGED") is not null)
        {
            return "host key changed: host key verification failed (check the host, then its line in known_hosts)";
        }
        if (Find("Host key verification failed") is not null)
        {
            return "host key unknown: host key verification failed (connect once with ssh to check and accept it)";
        }
        if (Find("Permission denied") is { } denied)
        {
            return $"authentication failed: {denied[denied.IndexOf("Permission denied", StringComparison.OrdinalIgnoreCase)..].TrimEnd('.')}";
        }
        return lines.Length > 0 ? lines[^1] : otherwise;
    }

    private void WaitUntilReady()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_master.HasExited)
            {
                throw new HostException(Target, Classify(MasterErrors(), $"ssh exited {_master.ExitCode}"));
            }
            // The master makes its socket once it has logged in; -O check asks it whether it serves.
            if (File.Exists(_controlPath) && ControlSucceeds("check"))
            {
                return;
            }
            if (clock.Elapsed > OpenLimit)
            {
                throw new HostException(Target, $"no ssh connection after {OpenLimit.TotalSeconds:0} s: {Classify(MasterErrors(), "ssh said nothing")}");
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>ssh -O: asks the master (check whether it serves, or exit); false when it says no or does not answer in time.</summary>
    private bool ControlSucceeds(string operation)
    {
        List<string> arguments = ["-S", _controlPath, "-O", operation];
        AddConfig(arguments, _configFile);
        arguments.Add(Target);
        return ChildRun.Run(ChildStart.Stock("ssh", arguments), limit: CloseLimit).Succeeded;
    }

    /// <summary>The run's outcome when it exited with 0; otherwise a <see cref="HostException"/> in one line: what ran, how it ended, and why.</summary>
    private ChildOutcome Check(ChildOutcome outcome, IReadOnlyList<string> command)
    {
        string what = $"'{Shortened(string.Join(' ', command))}'";
        if (outcome.KilledAfter is { } limit)
        {
            throw new HostException(Target, $"{what} did not finish within {limit.TotalSeconds:0} s");
        }
        if (outcome.ExitCode != 0)
        {
            string tail = string.Join(" | ", StderrTail.Lines(outcome.StandardError, 3));
            string why = _master.HasExited
                ? $"the ssh connection has gone ({Classify(MasterErrors(), $"ssh exited {_master.ExitCode}")})"
                : tail.Length > 0 ? tail : "no message";
            throw new HostException(Target, $"{what} exited {outcome.ExitCode}: {why}");
        }
        return outcome;
    }

    /// <summary>The last lines the master wrote on stderr: ssh's own words for why it could not connect, or went.</summary>
    private IReadOnlyList<string> MasterErrors() => StderrTail.Lines(_master.StandardError);

    private void ThrowIfGone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_master.HasExited)
        {
            throw new HostException(Target, $"the ssh connection has gone: {Classify(MasterErrors(), $"ssh exited {_master.ExitCode}")}");
        }
    }

    private static string Shortened(string text) => text.Length <= 120 ? text : text[..120] + "...";

    private static void AddConfig(ICollection<string> arguments, string? configFile)
    {
        if (configFile is not null)
        {
            arguments.Add("-F");
            arguments.Add(configFile);
        }
    }
}
