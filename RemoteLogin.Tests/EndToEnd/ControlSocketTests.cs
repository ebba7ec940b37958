using System.Net.Sockets;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// A local stranger against the children's control sockets. Abstract names are listed in /proc/net/unix for anyone
/// to read and connect to: a stranger that watches the list and connects to every new name, ahead of the child, must
/// not make a login fail, nor be handed a session.
/// </summary>
public class ControlSocketTests
{
    // Process only: the stranger here is this test process, which is also the in-process daemon, and the relay's
    // socket pair rightly takes a connection from its own process. A stranger for relay is another process.
    [Theory]
    [InlineData(SubdaemonModel.Process)]
    public async Task A_stranger_connecting_first_to_every_control_socket_does_not_stop_a_login(SubdaemonModel model)
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model);
        using var stop = new CancellationTokenSource();
        var stranger = Task.Run(() => ConnectToEveryNewNameAsync(stop.Token));

        for (int login = 0; login < 10; login++)
        {
            using var client = await EchoClient.ConnectAsync(daemon.Endpoint);
            await EchoClient.AssertEchoesAsync(client, [(byte)('a' + login)]);
        }
        stop.Cancel();
        Assert.True(await stranger > 0, "the stranger never found a control socket to connect to");
    }

    [Fact]
    public void Names_are_not_predictable()
    {
        string first = UnixSockets.NewName(), second = UnixSockets.NewName();
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(Environment.ProcessId.ToString(), first);
    }

    /// <summary>What a local user can do: poll the list of abstract names and connect to each new one of the daemon's. Returns how many it reached.</summary>
    private static async Task<int> ConnectToEveryNewNameAsync(CancellationToken stop)
    {
        var seen = new HashSet<string>();
        var held = new List<Socket>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (string name in File.ReadLines("/proc/net/unix").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
                    .Where(path => path.StartsWith("@remotelogin/", StringComparison.Ordinal)))
                {
                    if (seen.Add(name))
                    {
                        var socket = UnixSockets.NewSocket();
                        try
                        {
                            await socket.ConnectAsync(UnixSockets.EndPoint(name[1..]), stop);
                            held.Add(socket); // held open: a stranger that just waits
                        }
                        catch (Exception e) when (e is SocketException or OperationCanceledException)
                        {
                            socket.Dispose(); // gone already, or the listener's backlog full
                        }
                    }
                }
                await Task.Delay(1, CancellationToken.None);
            }
            return held.Count;
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
        }
    }
}
