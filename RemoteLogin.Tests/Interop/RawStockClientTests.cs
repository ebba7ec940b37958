using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Interop;

/// <summary>The stock byte pipes of the machine against the raw (RFC 862) daemon: a file streamed through comes back byte for byte.</summary>
public class RawStockClientTests
{
    public static TheoryData<string, BufferStrategy> Clients => new()
    {
        { "nc", BufferStrategy.Naive },
        { "nc", BufferStrategy.Zerocopy },
        { "socat", BufferStrategy.Batched },
        { "socat", BufferStrategy.Pipelined },
    };

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_stock_client_streams_a_file_of_random_bytes_through_and_gets_exactly_it_back(string client, BufferStrategy echo)
    {
        await using var daemon = InProcessDaemon.Start(echo);
        string file = Path.GetTempFileName();
        try
        {
            var sent = new byte[256 * 1024];
            new Random(862).NextBytes(sent);
            await File.WriteAllBytesAsync(file, sent);

            var outcome = await ChildRun.RunAsync(ChildStart.Stock(client, Arguments(client, daemon.Endpoint.Port)), ChildInput.File(file), Eventually.Generous);

            Assert.True(outcome.ExitCode == 0, $"{client} exited with {outcome.ExitCode}: {outcome.StandardError}");
            Assert.Equal(sent.Length, outcome.Output.Length);
            Assert.True(sent.AsSpan().SequenceEqual(outcome.Output), "the echo differs from the file");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// How each ends at the end of its input. OpenBSD nc keeps the connection open after stdin's EOF unless -N says to
    /// shut down its sending side; it then exits when the daemon, having echoed everything, closes. socat shuts down its
    /// sending side at stdin's EOF by itself, then waits at most -t seconds for the other direction to end (0.5 s by
    /// default, which could cut off an echo still on its way): -t 60 is only a safety limit, it exits when the daemon closes.
    /// </summary>
    private static string[] Arguments(string client, int port) => client switch
    {
        "nc" => ["-N", "127.0.0.1", port.ToString()],
        "socat" => ["-t", "60", "-", $"TCP:127.0.0.1:{port}"],
        _ => throw new ArgumentOutOfRangeException(nameof(client), client, null),
    };
}
