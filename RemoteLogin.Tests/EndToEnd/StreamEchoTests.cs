using System.Net;
using System.Net.Sockets;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// A paste at the wire's speed: a megabyte written at once through a real daemon, read back while it is still being
/// written. The daemon receives it in many blocks and, under pipelined, sends back reads of many pipe segments with one
/// gathered send each; every byte must come back once, in order, and the echo counters must agree with the bytes.
/// Under telnet the block carries newlines and IACs, so some reads are rewritten on their way through the pipe.
/// </summary>
public class StreamEchoTests
{
    private const int Bytes = 1024 * 1024;

    /// <summary>IAC DONT LINEMODE, IAC WILL ECHO, IAC WILL SGA: the daemon's greeting, sent before any echo.</summary>
    private const int TelnetOpeningBytes = 9;

    [Theory]
    [InlineData(BufferStrategy.Pipelined, SubdaemonModel.Task, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Pipelined, SubdaemonModel.Thread, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Pipelined, SubdaemonModel.Task, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Pipelined, SubdaemonModel.Thread, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Batched, SubdaemonModel.Task, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Batched, SubdaemonModel.Thread, WireProtocol.Raw)]
    public async Task A_megabyte_written_at_once_comes_back_intact_and_counted(BufferStrategy strategy, SubdaemonModel model, WireProtocol protocol)
    {
        var (sent, expected) = protocol == WireProtocol.Telnet ? TelnetBlock() : RawBlock();
        int opening = protocol == WireProtocol.Telnet ? TelnetOpeningBytes : 0;
        await using var daemon = InProcessDaemon.Start(strategy, model, protocol);

        byte[] received = await EchoWhileWritingAsync(daemon.Endpoint, sent, opening + expected.Length);

        Assert.Equal(expected.Length, received.Length - opening);
        int firstWrong = FirstDifference(expected, received.AsSpan(opening));
        Assert.True(firstWrong < 0, $"the echo differs from byte {firstWrong} of {expected.Length}");
        await daemon.Daemon.StopAsync(TimeSpan.FromSeconds(30));
        var counts = daemon.Metrics.Usage.Read().Echo;
        Assert.Equal(sent.Length, counts.BytesReceived);
        Assert.Equal(expected.Length, counts.BytesEchoed); // the greeting is the handshake's, not the echo's
        // Every receive and every send moved at least a byte: a call counted twice, or a send left uncounted, shows.
        Assert.InRange(counts.ReceiveCalls, 1, counts.BytesReceived);
        Assert.InRange(counts.SendCalls, 1, counts.BytesEchoed);
    }

    /// <summary>Random bytes: under raw, each is its own echo.</summary>
    private static (byte[] Sent, byte[] Expected) RawBlock()
    {
        var block = new byte[Bytes];
        new Random(862).NextBytes(block);
        return (block, block);
    }

    /// <summary>
    /// Random data without IAC, CR or LF (its own echo), with a CR NUL (echoed CR LF) and an IAC IAC (echoed as is)
    /// every few thousand bytes: most reads go back as they came, the ones holding those are rewritten.
    /// </summary>
    private static (byte[] Sent, byte[] Expected) TelnetBlock()
    {
        var random = new Random(854);
        var sent = new List<byte>(Bytes);
        var expected = new List<byte>(Bytes);
        while (sent.Count < Bytes)
        {
            int b = random.Next(0, 256);
            if (b is 0xFF or (byte)'\r' or (byte)'\n')
            {
                continue;
            }
            sent.Add((byte)b);
            expected.Add((byte)b);
            if (random.Next(5000) == 0)
            {
                sent.AddRange("\r\0"u8);
                expected.AddRange("\r\n"u8);
            }
            else if (random.Next(5000) == 0)
            {
                sent.AddRange([0xFF, 0xFF]);
                expected.AddRange([0xFF, 0xFF]);
            }
        }
        return ([.. sent], [.. expected]);
    }

    /// <summary>Write <paramref name="sent"/> in one call while reading the echo: the two ends run together, as a paste's do.</summary>
    private static async Task<byte[]> EchoWhileWritingAsync(IPEndPoint endpoint, byte[] sent, int expected)
    {
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(endpoint);
        var reading = Task.Run(async () =>
        {
            var received = new byte[expected + 1]; // room for one byte too many, so a duplicate shows
            int got = 0, count;
            while ((count = await EchoClient.ReceiveOrResetAsync(client, received.AsMemory(got))) > 0)
            {
                got += count;
                if (got == received.Length)
                {
                    break;
                }
            }
            return received[..got];
        });
        using (var limit = new CancellationTokenSource(EchoClient.SafetyLimit))
        {
            await client.SendAsync(sent, SocketFlags.None, limit.Token);
        }
        client.Shutdown(SocketShutdown.Send);
        return await reading.WaitAsync(EchoClient.SafetyLimit);
    }

    private static int FirstDifference(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        int common = expected.CommonPrefixLength(actual);
        return common == expected.Length && actual.Length == expected.Length ? -1 : common;
    }
}
