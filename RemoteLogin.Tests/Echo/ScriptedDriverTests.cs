using System.IO.Pipelines;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EchoSteps;

/// <summary>
/// What a real socket cannot be made to do on demand: a send that takes only part of what it was given, every time,
/// and a session with no descriptor of its own, as a multiplexed terminal's (its bytes copied out of someone else's
/// frames). A scripted driver steps every strategy's lanes on one thread: input in pieces of a byte or a few, each send
/// taking a random part of its bytes. The echo must be what the same lanes give when fed whole and sent whole.
/// </summary>
public class ScriptedDriverTests
{
    private static readonly byte[] Text =
    [
        .. "typed\r\0"u8, 0xFF, 0xFF, .. Enumerable.Range(0, 5000).Select(i => (byte)('a' + i % 26)), .. "\r\0end\r\n"u8,
    ];

    [Theory]
    [InlineData(BufferStrategy.Naive, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Naive, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Batched, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Batched, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Pipelined, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Pipelined, WireProtocol.Telnet)]
    [InlineData(BufferStrategy.Zerocopy, WireProtocol.Raw)]
    [InlineData(BufferStrategy.Zerocopy, WireProtocol.Telnet)]
    public void Partial_sends_and_one_byte_receives_echo_what_whole_ones_do(BufferStrategy strategy, WireProtocol protocol)
    {
        var wholeMeter = new EchoTally();
        byte[] whole = Drive(strategy, protocol, wholeMeter, new Random(1), maxReceive: int.MaxValue, maxSend: int.MaxValue);
        var meter = new EchoTally();
        byte[] cut = Drive(strategy, protocol, meter, new Random(862), maxReceive: 3, maxSend: 2);

        Assert.Equal(whole, cut);
        if (protocol == WireProtocol.Raw)
        {
            Assert.Equal(Text, cut);
        }
        var counts = meter.Counts;
        Assert.Equal(Text.Length, counts.BytesReceived);
        Assert.Equal(cut.Length, counts.BytesEchoed);
        // Every send took at most two bytes, and each was counted as a call of its own.
        Assert.InRange(counts.SendCalls, (cut.Length + 1) / 2, cut.Length);
        Assert.Equal(counts.BytesReceived, counts.Copied.IntoUser);
        Assert.Equal(counts.BytesEchoed, counts.Copied.OutOfUser);
    }

    /// <summary>The echo of <see cref="Text"/> from a fresh session with no descriptor, stepped by this driver.</summary>
    private static byte[] Drive(BufferStrategy strategy, WireProtocol protocol, EchoTally meter, Random random, int maxReceive, int maxSend)
    {
        var framing = new FramedEcho(LoginProtocols.For(protocol).NewFraming(), meter);
        var lanes = EchoStrategies.For(strategy).Start(new EchoContext(framing, meter, Descriptor: null, PipeScheduler.Inline, System.Buffers.ArrayPool<byte>.Shared, Server.Daemon.DaemonLog.StandardError));
        ISocketLane?[] live = [lanes.Receiving, lanes.Sending];
        var waits = new ValueTask[live.Length];
        var echo = new List<byte>();
        int typed = 0;
        while (live.Any(lane => lane is not null))
        {
            bool moved = false;
            for (int i = 0; i < live.Length; i++)
            {
                if (live[i] is not { } lane || !waits[i].IsCompleted)
                {
                    continue; // over, or waiting for the other lane
                }
                waits[i].GetAwaiter().GetResult(); // a wait is consumed once, as a driver's await does
                waits[i] = default;
                moved = true;
                var step = lane.Step();
                switch (step.Need)
                {
                    case SocketNeed.Receive:
                        var buffer = lane.ReceiveBuffer();
                        int bytes = Math.Min(Math.Min(buffer.Length, Text.Length - typed), random.Next(1, Math.Min(maxReceive, Text.Length) + 1));
                        Text.AsSpan(typed, bytes).CopyTo(buffer.Span); // as a demultiplexer copies a terminal's bytes out of its frame
                        typed += bytes;
                        lane.Received(bytes);
                        break;
                    case SocketNeed.Send:
                        int sent = (int)Math.Min(step.Bytes.Length, random.Next(1, Math.Min(maxSend, 1 << 20) + 1));
                        echo.AddRange(System.Buffers.BuffersExtensions.ToArray(step.Bytes.Slice(0, sent)));
                        lane.Sent(sent);
                        break;
                    case SocketNeed.Wait:
                        waits[i] = step.Pending;
                        break;
                    case SocketNeed.End:
                        Assert.Equal(LaneEndKind.Completed, step.End.Kind);
                        live[i] = null;
                        break;
                    default:
                        Assert.Fail($"{strategy}: a session with no descriptor asked to wait for one ({step.Need})");
                        break;
                }
            }
            Assert.True(moved, $"{strategy} over {protocol}: both lanes wait for each other");
        }
        return [.. echo];
    }
}
