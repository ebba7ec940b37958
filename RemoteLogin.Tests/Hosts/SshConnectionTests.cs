using System.Net;
using System.Runtime.Versioning;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Hosts;

/// <summary>The bench's one ssh connection to a lab host, against a real sshd on loopback with throwaway keys.</summary>
[SupportedOSPlatform("linux")]
public sealed class SshConnectionTests
{
    [Fact]
    public void Every_word_of_a_command_arrives_as_it_was_given()
    {
        using var server = TestSshd.Start();
        using var ssh = SshConnection.Open(TestSshd.Alias, server.ConfigFile);

        string[] words = ["two words", "it's", "$HOME", "`id`", "a;b", "\"quoted\"", "back\\slash", ""];
        string output = ssh.Run(["printf", "[%s]\\n", .. words]);

        Assert.Equal(string.Concat(words.Select(word => $"[{word}]\n")), output);
    }

    [Fact]
    public void A_failing_remote_command_is_named_with_the_host_and_its_stderr()
    {
        using var server = TestSshd.Start();
        using var ssh = SshConnection.Open(TestSshd.Alias, server.ConfigFile);

        var failure = Assert.Throws<HostException>(() => ssh.Run(["sh", "-c", "echo it went wrong >&2; exit 3"]));

        Assert.StartsWith($"{TestSshd.Alias}: ", failure.Message);
        Assert.Contains("exited 3", failure.Message);
        Assert.Contains("it went wrong", failure.Message);
    }

    [Fact]
    public void Upload_then_fetch_gives_back_the_same_bytes_and_modes_with_no_partial_copy_left()
    {
        using var server = TestSshd.Start();
        using var ssh = SshConnection.Open(TestSshd.Alias, server.ConfigFile);
        using var local = new ScratchDirectory("ssh-upload");
        Directory.CreateDirectory(Path.Combine(local.Path, "sub"));
        byte[] binary = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 256))];
        File.WriteAllBytes(Path.Combine(local.Path, "sub", "every-byte.bin"), binary);
        string tool = Path.Combine(local.Path, "tool");
        File.WriteAllText(tool, "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string remote = Path.Combine(server.Directory, "remote", "copy");

        ssh.Upload(local.Path, remote);
        string fetched = Path.Combine(server.Directory, "fetched.bin");
        ssh.Fetch($"{remote}/sub/every-byte.bin", fetched);

        Assert.Equal(binary, File.ReadAllBytes(fetched));
        Assert.Equal("ran\n", ssh.Run([$"{remote}/tool"]));
        Assert.Equal(["copy"], Directory.GetFileSystemEntries(Path.GetDirectoryName(remote)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Fetching_a_missing_file_fails_and_leaves_no_file()
    {
        using var server = TestSshd.Start();
        using var ssh = SshConnection.Open(TestSshd.Alias, server.ConfigFile);
        string local = Path.Combine(server.Directory, "never.bin");

        var failure = Assert.Throws<HostException>(() => ssh.Fetch(Path.Combine(server.Directory, "absent"), local));

        Assert.Contains("No such file", failure.Message);
        Assert.False(File.Exists(local));
    }

    [Fact]
    public void Dispose_ends_the_master_and_removes_its_control_folder()
    {
        using var server = TestSshd.Start();
        var ssh = SshConnection.Open(TestSshd.Alias, server.ConfigFile);
        var before = ControlFolders();

        ssh.Dispose();

        Assert.NotEmpty(before);
        Assert.Empty(ControlFolders().Intersect(before));
        Assert.Throws<ObjectDisposedException>(() => ssh.Command(["true"]));
    }

    [Fact]
    public void A_port_where_nothing_listens_is_named_connection_refused()
    {
        using var server = TestSshd.Start();
        string config = server.WriteClientConfig("refused_config", server.ClientKey, server.KnownHosts(null, "none"), TestSshd.FreePort(IPAddress.Loopback));

        AssertOneLineFailure(config, "ssh refused: connection refused");
    }

    [Fact]
    public void A_key_the_host_does_not_know_is_named_authentication_failed()
    {
        using var server = TestSshd.Start();
        string config = server.WriteClientConfig("wrong_key_config", server.NewClientKey("stranger"), Path.Combine(server.Directory, "known_hosts"));

        AssertOneLineFailure(config, "authentication failed: Permission denied (publickey)");
    }

    [Fact]
    public void A_host_key_not_in_known_hosts_is_named_unknown()
    {
        using var server = TestSshd.Start();
        string config = server.WriteClientConfig("unknown_config", server.ClientKey, server.KnownHosts(null, "empty_known_hosts"));

        AssertOneLineFailure(config, "host key unknown");
    }

    [Fact]
    public void A_host_key_other_than_the_known_one_is_named_changed()
    {
        using var server = TestSshd.Start();
        string other = File.ReadAllText(server.NewClientKey("impostor") + ".pub").Trim();
        string config = server.WriteClientConfig("changed_config", server.ClientKey, server.KnownHosts(other, "wrong_known_hosts"));

        AssertOneLineFailure(config, "host key changed");
    }

    private static void AssertOneLineFailure(string config, string reason)
    {
        var failure = Assert.Throws<HostException>(() => SshConnection.Open(TestSshd.Alias, config).Dispose());

        Assert.StartsWith($"{TestSshd.Alias}: {reason}", failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Equal(TestSshd.Alias, failure.Host);
    }

    private static string[] ControlFolders() =>
        Directory.GetDirectories(Path.GetTempPath(), "remotelogin-ssh-*").Where(folder => File.Exists(Path.Combine(folder, "control"))).ToArray();
}
