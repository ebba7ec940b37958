using System.Diagnostics;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// A local stranger against the children's control sockets. Abstract names are listed in /proc/net/unix for anyone
/// to read and connect to: a stranger that watches the list and connects to every new name, ahead of the child, must
/// not make a login fail, nor be handed a session. The stranger is another process (a shell loop and socat), as a
/// local user would be: the relay's own socket pair rightly takes a connection from the daemon's process.
/// </summary>
public class ControlSocketTests
{
    // Polls the list every few milliseconds and connects socat to each new name of ours, holding the connection open:
    // a stranger that just waits. With -d -d socat says when it is connected, which the test counts.
    private const string Stranger = """
        seen=' '
        while :; do
            for name in $(awk '$NF ~ /^@remotelogin\// { print substr($NF, 2) }' /proc/net/unix); do
                case "$seen" in *" $name "*) continue ;; esac
                seen="$seen$name "
                socat -d -d -u "ABSTRACT-CONNECT:$name" /dev/null &
            done
            sleep 0.002
        done
        """;

    [Theory]
    [InlineData(SubdaemonModel.Process)]
    [InlineData(SubdaemonModel.Relay)]
    public async Task A_stranger_connecting_first_to_every_control_socket_does_not_stop_a_login(SubdaemonModel model)
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model);
        var info = new ProcessStartInfo("setsid", ["bash", "-c", Stranger]) { RedirectStandardError = true, UseShellExecute = false };
        using var stranger = Process.Start(info) ?? throw new InvalidOperationException("the stranger did not start");
        int connected = 0;
        var counting = Task.Run(async () =>
        {
            while (await stranger.StandardError.ReadLineAsync() is { } line)
            {
                if (line.Contains("starting data transfer loop", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref connected);
                }
            }
        });
        try
        {
            for (int login = 0; login < 10; login++)
            {
                using var client = await EchoClient.ConnectAsync(daemon.Endpoint);
                await EchoClient.AssertEchoesAsync(client, [(byte)('a' + login)]);
            }
        }
        finally
        {
            // setsid made the loop a process group of its own (a freshly started child is never a group leader, so setsid
            // does not fork and the loop keeps the pid we know): this ends it and every socat it started.
            Process.Start("kill", ["--", $"-{stranger.Id}"])?.WaitForExit();
            await counting.WaitAsync(EchoClient.SafetyLimit);
        }
        Assert.True(connected > 0, "the stranger never reached a control socket");
    }

    [Fact]
    public void Names_are_not_predictable()
    {
        string first = UnixSockets.NewName(), second = UnixSockets.NewName();
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(Environment.ProcessId.ToString(), first);
    }
}
