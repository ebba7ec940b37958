using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// A real OpenSSH server for one test class, with throwaway keys in a folder of its own: the lab host the bench's ssh
/// code talks to, on loopback or, with <c>netns</c>, inside a network namespace a test made. The client side gets an
/// ssh_config (<see cref="ConfigFile"/>) naming it as <see cref="Alias"/>, so nothing of the user's ~/.ssh is read or
/// written. Sessions get XDG_CACHE_HOME and TMPDIR inside the folder, so what the bench leaves in a host's cache or
/// temporary folder goes when this is disposed.
/// </summary>
internal sealed class TestSshd : IDisposable
{
    public const string Alias = "labhost";

    private readonly Process _sshd;
    private readonly string _hostPublicKey;

    private TestSshd(string directory, IPAddress address, int port, Process sshd, string hostPublicKey)
    {
        Directory = directory;
        Address = address;
        Port = port;
        _sshd = sshd;
        _hostPublicKey = hostPublicKey;
        ClientKey = System.IO.Path.Combine(directory, "client_ed25519");
        ConfigFile = WriteClientConfig("ssh_config", ClientKey, KnownHosts(_hostPublicKey));
    }

    public string Directory { get; }

    public IPAddress Address { get; }

    public int Port { get; }

    /// <summary>The key authorized_keys lets in.</summary>
    public string ClientKey { get; }

    /// <summary>An ssh_config where <see cref="Alias"/> reaches this server with <see cref="ClientKey"/> and its real host key known.</summary>
    public string ConfigFile { get; }

    /// <summary>What the sessions' XDG_CACHE_HOME is: the bench's remote install lands below it.</summary>
    public string CacheHome => System.IO.Path.Combine(Directory, "cache");

    /// <summary>On 127.0.0.1 at a free port.</summary>
    public static TestSshd Start() => Start(IPAddress.Loopback);

    /// <param name="netns">A network namespace to run sshd in (ip netns exec); the address is one of its own.</param>
    /// <param name="port">Where sshd listens; a free one outside a namespace, 22 inside one unless given.</param>
    public static TestSshd Start(IPAddress address, string? netns = null, int? port = null)
    {
        string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"remotelogin-sshd-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(directory, "cache"));
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(directory, "tmp"));
        string hostKey = System.IO.Path.Combine(directory, "host_ed25519");
        string clientKey = System.IO.Path.Combine(directory, "client_ed25519");
        NewKey(hostKey);
        NewKey(clientKey);
        File.Copy(clientKey + ".pub", System.IO.Path.Combine(directory, "authorized_keys"));
        int chosen = port ?? (netns is null ? FreePort(address) : 22);
        string listen = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{chosen}" : $"{address}:{chosen}";
        string config = System.IO.Path.Combine(directory, "sshd_config");
        File.WriteAllText(config, $"""
            ListenAddress {listen}
            HostKey {hostKey}
            AuthorizedKeysFile {directory}/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PidFile none
            StrictModes no
            PermitRootLogin prohibit-password
            LogLevel ERROR
            SetEnv XDG_CACHE_HOME={directory}/cache TMPDIR={directory}/tmp

            """);
        if (Environment.UserName == "root")
        {
            // sshd's privilege separation folder, which a system with the server installed but not running lacks.
            System.IO.Directory.CreateDirectory("/run/sshd");
        }
        var start = new ProcessStartInfo(netns is null ? "/usr/sbin/sshd" : "ip")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (netns is not null)
        {
            foreach (var word in new[] { "netns", "exec", netns, "/usr/sbin/sshd" })
            {
                start.ArgumentList.Add(word);
            }
        }
        foreach (var word in new[] { "-D", "-e", "-f", config })
        {
            start.ArgumentList.Add(word);
        }
        var errors = new StringBuilder();
        var sshd = new Process { StartInfo = start };
        sshd.ErrorDataReceived += (_, line) => { lock (errors) { errors.AppendLine(line.Data); } };
        sshd.OutputDataReceived += (_, _) => { };
        sshd.Start();
        sshd.BeginErrorReadLine();
        sshd.BeginOutputReadLine();
        var server = new TestSshd(directory, address, chosen, sshd, File.ReadAllText(hostKey + ".pub").Trim());
        if (!server.WaitUntilItGreets(netns))
        {
            server.Dispose();
            lock (errors)
            {
                throw new InvalidOperationException($"sshd did not start on {listen}: {errors}");
            }
        }
        return server;
    }

    /// <summary>Another client configuration for <see cref="Alias"/>: a different key, or different known hosts.</summary>
    public string WriteClientConfig(string name, string identityFile, string knownHostsFile, int? port = null)
    {
        string path = System.IO.Path.Combine(Directory, name);
        File.WriteAllText(path, $"""
            Host {Alias}
                HostName {Address}
                Port {port ?? Port}
                User {Environment.UserName}
                IdentityFile {identityFile}
                IdentitiesOnly yes
                UserKnownHostsFile {knownHostsFile}
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                UpdateHostKeys no

            """);
        return path;
    }

    /// <summary>A known_hosts file that gives this server the key <paramref name="publicKey"/> ("TYPE BASE64 ..."); empty for none.</summary>
    public string KnownHosts(string? publicKey, string name = "known_hosts")
    {
        string path = System.IO.Path.Combine(Directory, name);
        string host = Port == 22 ? $"{Address}" : $"[{Address}]:{Port}";
        File.WriteAllText(path, publicKey is null ? "" : $"{host} {publicKey}\n");
        return path;
    }

    /// <summary>A fresh ed25519 key pair in this server's folder, known to nobody.</summary>
    public string NewClientKey(string name)
    {
        string path = System.IO.Path.Combine(Directory, name);
        NewKey(path);
        return path;
    }

    public void Dispose()
    {
        if (!_sshd.HasExited)
        {
            // The whole tree: every session sshd forked, and whatever a test left running under one.
            _sshd.Kill(entireProcessTree: true);
        }
        _sshd.WaitForExit();
        _sshd.Dispose();
        KillStragglers();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>
    /// A program that outlived its session (the failure the tether exists to prevent) has left sshd's tree for init's;
    /// it is found by its command line, which names this folder (the install and the scratch are in it).
    /// </summary>
    private void KillStragglers()
    {
        foreach (var folder in System.IO.Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(folder), out int id) || id == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(System.IO.Path.Combine(folder, "cmdline")).Contains(Directory, StringComparison.Ordinal))
                {
                    using var straggler = Process.GetProcessById(id);
                    straggler.Kill();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
    }

    private bool WaitUntilItGreets(string? netns)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Eventually.Generous)
        {
            if (_sshd.HasExited)
            {
                return false;
            }
            if (netns is null ? Greets() : Listens(netns))
            {
                return true;
            }
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>Its banner read over TCP: it accepts and speaks SSH.</summary>
    private bool Greets()
    {
        try
        {
            using var socket = new Socket(Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(Address, Port);
            var banner = new byte[4];
            int read = 0;
            while (read < banner.Length)
            {
                int count = socket.Receive(banner, read, banner.Length - read, SocketFlags.None);
                if (count == 0)
                {
                    return false;
                }
                read += count;
            }
            return Encoding.ASCII.GetString(banner) == "SSH-";
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Its port listening inside the namespace, which this process may have no route into.</summary>
    private bool Listens(string netns)
    {
        var ss = ChildRun.Run(ChildStart.Stock("ip", "netns", "exec", netns, "ss", "-Hltn", $"sport = :{Port}"), limit: Eventually.Generous);
        return ss.Succeeded && ss.StandardOutput.Trim().Length > 0;
    }

    private static void NewKey(string path)
    {
        ChildRun.Run(ChildStart.Stock("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "remotelogin-test", "-f", path), limit: Eventually.Generous).ThrowIfFailed();
    }

    /// <summary>A port nothing listens on just now (bound to 0, then let go).</summary>
    public static int FreePort(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
