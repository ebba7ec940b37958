using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// One OpenSSH connection to a lab host, opened once and shared by everything the bench runs there: a ControlMaster
/// that is a child process of the bench, with the user's own keys and ssh configuration, and every remote command a
/// session multiplexed over it. One connection means one authentication, one TCP stream whose traffic is only ours,
/// and one thing to close at the end. The master sends no keepalives, so ssh is silent while a run is timed.
/// </summary>
public sealed class SshConnection : IDisposable
{
    /// <summary>Connecting and authenticating, generously: ConnectTimeout bounds the TCP part, this the whole.</summary>
    private static readonly TimeSpan OpenLimit = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan CloseLimit = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _controlDirectory;
    private readonly string _controlPath;
    private readonly string? _configFile;
    private readonly Process _master;
    private readonly StderrTail _masterErrors;
    private bool _disposed;

    private SshConnection(string target, string? configFile, DirectoryInfo controlDirectory, Process master, StderrTail masterErrors)
    {
        Target = target;
        _configFile = configFile;
        _controlDirectory = controlDirectory;
        _controlPath = Path.Combine(controlDirectory.FullName, "control");
        _master = master;
        _masterErrors = masterErrors;
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
        var start = RemoteLogin.Processes.SiblingProgram.StartInfo("RemoteLogin.Bench", ["tether", "--", .. master]);

        var errors = new StderrTail();
        var tethered = new Process { StartInfo = start };
        tethered.ErrorDataReceived += (_, line) => errors.Add(line.Data);
        tethered.OutputDataReceived += (_, _) => { };
        tethered.Start();
        tethered.BeginErrorReadLine();
        tethered.BeginOutputReadLine();
        var connection = new SshConnection(target, configFile, controlDirectory, tethered, errors);
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
    /// Start info for <paramref name="remoteCommand"/> on the host, over this connection, all three streams redirected
    /// and no terminal: its standard streams are the remote program's. ssh joins the words into one line for the
    /// user's login shell there, so each word is quoted for it and arrives as it is here.
    /// </summary>
    public ProcessStartInfo StartInfo(IReadOnlyList<string> remoteCommand)
    {
        ThrowIfGone();
        var start = new ProcessStartInfo("ssh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // ControlMaster=no: a session never becomes a master of its own. ProxyCommand=false: were the master's socket
        // gone, ssh would quietly dial a second connection; a proxy that fails at once makes that an error instead
        // (a multiplexed session never uses the proxy). -T: no terminal, so the remote program sees pipes, as here.
        AddAll(start.ArgumentList, "-S", _controlPath, "-o", "ControlMaster=no", "-o", "ProxyCommand=false",
            "-o", "BatchMode=yes", "-T", "-x");
        AddConfig(start.ArgumentList, _configFile);
        start.ArgumentList.Add(Target);
        start.ArgumentList.Add("--");
        foreach (var word in remoteCommand)
        {
            start.ArgumentList.Add(Quote(word));
        }
        return start;
    }

    /// <summary>Runs <paramref name="remoteCommand"/> to its end with nothing on its stdin and returns its stdout; a nonzero exit is a <see cref="HostException"/>.</summary>
    public string Run(IReadOnlyList<string> remoteCommand, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(remoteCommand))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Finish(process, remoteCommand, stderr, timeout ?? CommandLimit);
        return stdout.Result;
    }

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
        using var process = Process.Start(StartInfo(command))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            TarFile.CreateFromDirectory(localDirectory, process.StandardInput.BaseStream, includeBaseDirectory: false);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The remote side stopped reading: its exit code and stderr below say why.
        }
        Finish(process, ["upload", remoteDirectory], stderr, timeout ?? TimeSpan.FromMinutes(20));
        _ = stdout.Result;
    }

    /// <summary>Copies the file at <paramref name="remotePath"/> on the host to <paramref name="localPath"/>, byte for byte.</summary>
    public void Fetch(string remotePath, string localPath, TimeSpan? timeout = null)
    {
        string[] command = ["cat", "--", remotePath];
        using var process = Process.Start(StartInfo(command))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using (var file = File.Create(localPath))
            {
                process.StandardOutput.BaseStream.CopyTo(file);
            }
            Finish(process, command, stderr, timeout ?? CommandLimit);
        }
        catch
        {
            File.Delete(localPath);
            throw;
        }
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
            using var exit = Process.Start(Control("exit"))!;
            exit.StandardInput.Close();
            _ = exit.StandardOutput.ReadToEndAsync();
            _ = exit.StandardError.ReadToEndAsync();
            if (!exit.WaitForExit(CloseLimit))
            {
                exit.Kill();
            }
        }
        if (!_master.HasExited)
        {
            // The tether's stdin ends: it SIGTERMs ssh. Killing the tether alone would leave ssh running (it never
            // reads its stdin), so only its whole tree is killed, and only if that did not work.
            _master.StandardInput.Close();
        }
        if (!_master.WaitForExit(CloseLimit))
        {
            _master.Kill(entireProcessTree: true);
        }
        _master.WaitForExit();
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
                _master.WaitForExit(); // the last of stderr read
                throw new HostException(Target, Classify(_masterErrors.Lines(), $"ssh exited {_master.ExitCode}"));
            }
            // The master makes its socket once it has logged in; -O check asks it whether it serves.
            if (File.Exists(_controlPath) && ControlSucceeds("check"))
            {
                return;
            }
            if (clock.Elapsed > OpenLimit)
            {
                throw new HostException(Target, $"no ssh connection after {OpenLimit.TotalSeconds:0} s: {Classify(_masterErrors.Lines(), "ssh said nothing")}");
            }
            Thread.Sleep(50);
        }
    }

    private bool ControlSucceeds(string operation)
    {
        using var process = Process.Start(Control(operation))!;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CloseLimit))
        {
            process.Kill();
            return false;
        }
        return process.ExitCode == 0;
    }

    private ProcessStartInfo Control(string operation)
    {
        var start = new ProcessStartInfo("ssh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        AddAll(start.ArgumentList, "-S", _controlPath, "-O", operation);
        AddConfig(start.ArgumentList, _configFile);
        start.ArgumentList.Add(Target);
        return start;
    }

    private void Finish(Process process, IReadOnlyList<string> command, Task<string> stderr, TimeSpan limit)
    {
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new HostException(Target, $"'{string.Join(' ', command)}' did not finish within {limit.TotalSeconds:0} s");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            var lines = stderr.Result.Split('\n');
            string tail = string.Join(" | ", lines.Select(line => line.Trim()).Where(line => line.Length > 0).TakeLast(3));
            string why = _master.HasExited
                ? $"the ssh connection has gone ({Classify(_masterErrors.Lines(), $"ssh exited {_master.ExitCode}")})"
                : tail.Length > 0 ? tail : "no message";
            throw new HostException(Target, $"'{Shortened(string.Join(' ', command))}' exited {process.ExitCode}: {why}");
        }
    }

    private void ThrowIfGone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_master.HasExited)
        {
            throw new HostException(Target, $"the ssh connection has gone: {Classify(_masterErrors.Lines(), $"ssh exited {_master.ExitCode}")}");
        }
    }

    private static string Shortened(string text) => text.Length <= 120 ? text : text[..120] + "...";

    private static void AddConfig(ICollection<string> arguments, string? configFile)
    {
        if (configFile is not null)
        {
            AddAll(arguments, "-F", configFile);
        }
    }

    private static void AddAll(ICollection<string> arguments, params string[] words)
    {
        foreach (var word in words)
        {
            arguments.Add(word);
        }
    }

    /// <summary>The last lines the master wrote on stderr, kept as they arrive (the pipe must be drained anyway).</summary>
    private sealed class StderrTail
    {
        private const int Kept = 20;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > Kept)
                {
                    _lines.Dequeue();
                }
            }
        }

        public IReadOnlyList<string> Lines()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }
}
