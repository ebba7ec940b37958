using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Tests.Support;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Hosts;

/// <summary>One sshd, one connection and one self-contained publish installed through it, for the whole class: the publish takes a while.</summary>
public sealed class LabHostFixture : IDisposable
{
    public LabHostFixture()
    {
        Server = TestSshd.Start();
        Ssh = SshConnection.Open(TestSshd.Alias, Server.ConfigFile);
        Directory = RemoteInstall.Ensure(Ssh, FirstInstall.Add);
    }

    internal TestSshd Server { get; }

    internal SshConnection Ssh { get; }

    /// <summary>Where the programs are on the "host".</summary>
    public string Directory { get; }

    /// <summary>What the first install reported, into a cache that was empty.</summary>
    public List<string> FirstInstall { get; } = [];

    public void Dispose()
    {
        Ssh.Dispose();
        Server.Dispose();
    }
}

/// <summary>Programs run on a lab host (a real sshd on loopback) through RemoteProgramHost, the tether and one ssh connection.</summary>
public sealed class RemoteProgramHostTests(LabHostFixture lab) : IClassFixture<LabHostFixture>
{
    [Fact]
    public void Installing_the_same_build_twice_copies_it_once()
    {
        var again = new List<string>();

        string directory = RemoteInstall.Ensure(lab.Ssh, again.Add);

        Assert.Equal(lab.Directory, directory);
        Assert.StartsWith(Path.Combine(lab.Server.CacheHome, "remotelogin") + "/", directory);
        Assert.Contains(lab.FirstInstall, line => line.StartsWith("copying ", StringComparison.Ordinal));
        Assert.DoesNotContain(again, line => line.StartsWith("copying ", StringComparison.Ordinal));
        Assert.Contains($"{TestSshd.Alias} has build {Path.GetFileName(directory)}", again);
        Assert.Single(System.IO.Directory.GetDirectories(Path.GetDirectoryName(directory)!));
    }

    [Fact]
    public async Task The_daemon_echoes_answers_a_snapshot_on_stdin_and_drains_to_exit_0_on_terminate()
    {
        using var host = new RemoteProgramHost(lab.Ssh, lab.Directory);
        using var daemon = ChildProcess.Start(host.Program("RemoteLogin.Server", ["--listen", "127.0.0.1:0", "--control-stdin"]));

        string? listening = await daemon.ReadLineAsync(Eventually.Generous);
        Assert.True(listening?.StartsWith("listening on ", StringComparison.Ordinal), $"first line '{listening}', stderr: {(daemon.HasExited ? daemon.StandardError : "")}");
        var endpoint = IPEndPoint.Parse(listening!["listening on ".Length..]);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(endpoint);
            var stream = client.GetStream();
            await stream.WriteAsync("over ssh"u8.ToArray());
            var echoed = new byte[8];
            await stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(Eventually.Generous);
            Assert.Equal("over ssh", Encoding.ASCII.GetString(echoed));
        }
        await daemon.Input.WriteLineAsync("snapshot");
        await daemon.Input.FlushAsync();
        string? reply = await daemon.ReadLineAsync(Eventually.Generous);
        Assert.StartsWith("snapshot {", reply);

        host.Terminate(daemon);

        await daemon.WaitForExitAsync().WaitAsync(Eventually.Generous);
        Assert.Equal(0, daemon.ExitCode);
    }

    [Fact]
    public async Task Killing_the_local_ssh_as_a_ctrl_c_would_leaves_no_program_on_the_host()
    {
        using var host = new RemoteProgramHost(lab.Ssh, lab.Directory);
        string tag = Guid.NewGuid().ToString("N");
        using var daemon = ChildProcess.Start(host.Program("RemoteLogin.Server", ["--listen", "127.0.0.1:0"], new Dictionary<string, string> { ["REMOTELOGIN_TEST_TAG"] = tag }));
        string? listening = await daemon.ReadLineAsync(Eventually.Generous);
        Assert.StartsWith("listening on ", listening);
        // The "host" is this machine: the tether is the process whose command line holds the tag, the daemon its child.
        var tether = Assert.Single(ProcessesWhoseCommandLineHolds(tag));
        var server = Assert.Single(ProcFs.ChildrenOf(tether.ProcessId));

        daemon.Kill(entireTree: false); // ssh alone, as a ctrl-c would end it

        await Eventually.AssertAsync(() => !ProcFs.Exists(server) && !ProcFs.Exists(tether), "the daemon and its tether gone from the host");
    }

    [Fact]
    public void A_file_written_in_the_scratch_folder_is_fetched_and_the_folder_goes_with_the_host()
    {
        var host = new RemoteProgramHost(lab.Ssh, lab.Directory);
        string path = host.ScratchPath("figures.json");
        lab.Ssh.Run(["sh", "-c", "printf '{\"a\": 1}' > \"$1\"", "sh", path]);
        string local = Path.Combine(lab.Server.Directory, "fetched.json");

        host.Fetch(path, local);
        host.Dispose();

        Assert.Equal("{\"a\": 1}", File.ReadAllText(local));
        Assert.StartsWith(Path.Combine(lab.Server.Directory, "tmp") + "/", path);
        Assert.False(System.IO.Directory.Exists(Path.GetDirectoryName(path)));
        Assert.False(host.IsLocal);
        Assert.Equal(TestSshd.Alias, host.Name);
    }

    private static IEnumerable<ProcFs.ProcessStat> ProcessesWhoseCommandLineHolds(string text)
    {
        foreach (var folder in System.IO.Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int id) || id == Environment.ProcessId)
            {
                continue;
            }
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(folder, "cmdline"));
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // The tether itself, not the local ssh nor the remote shell, whose command lines hold it too.
            if (commandLine.Contains(text, StringComparison.Ordinal) && commandLine.Contains("RemoteLogin.Bench\0tether\0", StringComparison.Ordinal)
                && ProcFs.Stat(id) is { } stat)
            {
                yield return stat;
            }
        }
    }
}
