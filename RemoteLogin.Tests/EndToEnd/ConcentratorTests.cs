using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Protocols.Mux;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// The real concentrator (a child process) between plain TCP terminals and a real --protocol mux daemon, or a hostile
/// host the test plays: every terminal's bytes come back intact under every model and strategy, each terminal costs
/// only itself, and a host that breaks the framing ends every line with a message.
/// </summary>
public class ConcentratorTests
{
    public static TheoryData<SubdaemonModel, BufferStrategy> Pairs() => Pairings.EveryModelAndStrategy();

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Terminals_through_a_concentrator_get_their_own_bytes_back_intact_then_a_fin(SubdaemonModel model, BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model, WireProtocol.Mux);
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint);
        // More than a window each, so that the echo waits on the concentrator's credit and the input on the daemon's.
        var sent = Enumerable.Range(1, 3).Select(i =>
        {
            var bytes = new byte[MuxLimits.Window * 2 + i * 1000];
            new Random(i).NextBytes(bytes);
            return bytes;
        }).ToArray();

        var echoes = await Task.WhenAll(sent.Select(bytes => EchoClient.SendAllAndReceiveToEndAsync(concentrator.Endpoint, bytes)));

        for (int i = 0; i < sent.Length; i++)
        {
            Assert.Equal(sent[i], echoes[i]);
        }
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Count(e => e.Peer is TerminalEndPoint) == sent.Length, "each terminal's session ended");
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken);
    }

    [Fact]
    public async Task A_terminal_that_never_reads_stalls_only_itself_and_urgent_data_is_data()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, SubdaemonModel.Task, WireProtocol.Mux);
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint);
        using var deaf = await ConnectAsync(concentrator.Endpoint);
        // Far more than its windows and every buffer on the way can hold: its own send must stall.
        var stalled = deaf.SendAsync(new byte[MuxLimits.Window * 64]);

        for (int round = 0; round < 3; round++)
        {
            using var neighbour = await ConnectAsync(concentrator.Endpoint);
            var typed = new byte[MuxLimits.Window + round];
            new Random(round).NextBytes(typed);
            await EchoClient.AssertEchoesAsync(neighbour, typed);
            // One byte sent urgent, among ordinary ones: it comes back in its place, as data.
            await neighbour.SendAsync("ab"u8.ToArray());
            await neighbour.SendAsync("!"u8.ToArray(), SocketFlags.OutOfBand);
            await neighbour.SendAsync("cd"u8.ToArray());
            Assert.Equal("ab!cd"u8.ToArray(), await EchoClient.ReceiveExactlyAsync(neighbour, 5));
        }
        Assert.False(stalled.IsCompleted);
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken);
    }

    [Fact]
    public async Task A_terminal_that_resets_in_the_middle_of_its_stream_ends_only_its_own_session()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Pipelined, SubdaemonModel.Thread, WireProtocol.Mux);
        // Two numbers: the next terminal gets one only once the line that reset is over at both ends.
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint, ["--max-terminals", "2"]);
        using var neighbour = await ConnectAsync(concentrator.Endpoint);
        await EchoClient.AssertEchoesAsync(neighbour, "before"u8.ToArray());

        using (var leaving = await ConnectAsync(concentrator.Endpoint))
        {
            await leaving.SendAsync(new byte[MuxLimits.Window * 3]);
            leaving.LingerState = new LingerOption(true, 0); // a reset, with its echo in flight and more of its input unread
        }

        // The host finishes echoing to a terminal that is gone (its window credited for it), closes it, and the number comes back.
        await Eventually.AssertAsync(async () =>
        {
            using var next = await ConnectAsync(concentrator.Endpoint);
            await next.SendAsync("x"u8.ToArray());
            return (await EchoClient.ReceiveExactlyAsync(next, 1))[0] == (byte)'x'; // a refusal's text starts "concentrator: all 2"
        }, "a new terminal took the number of the one that reset");
        await EchoClient.AssertEchoesAsync(neighbour, "after"u8.ToArray());
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken);
    }

    [Theory]
    [InlineData("a malformed handshake", "no\0such\0handshake-without-its-end", "rlogin: ")]
    [InlineData("no handshake at all", "", "handshake incomplete at the deadline")]
    public async Task An_rlogin_terminal_that_fails_its_opening_is_refused_at_the_concentrator_and_its_neighbour_types_on(string what, string sent, string refusal)
    {
        _ = what;
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, SubdaemonModel.Task, WireProtocol.Mux);
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint, ["--protocol", "rlogin", "--handshake-timeout", "1"]);
        using var neighbour = await ConnectAsync(concentrator.Endpoint);
        await neighbour.SendAsync("\0me\0me\0xterm/38400\0"u8.ToArray());
        Assert.Equal([0], await EchoClient.ReceiveExactlyAsync(neighbour, 1)); // accepted; the urgent control byte follows, out of band

        using var broken = await ConnectAsync(concentrator.Endpoint);
        // Longer than a handshake may be, so a malformed one is refused by its size if not by its form.
        await broken.SendAsync(Encoding.ASCII.GetBytes(sent.Length == 0 ? "" : sent + new string('x', 300)));
        var told = Encoding.ASCII.GetString(await EchoClient.ReceiveToEndAsync(broken));

        Assert.StartsWith("\u0001rlogin: ", told);
        Assert.Contains(refusal, told);
        await EchoClient.AssertEchoesAsync(neighbour, "still typing"u8.ToArray());
        Assert.Single(daemon.Events.OfType<SessionStarted>(), e => e.Peer is TerminalEndPoint); // the host never heard of the broken one
    }

    [Fact]
    public async Task A_terminal_the_host_refuses_is_told_why_and_closed()
    {
        await using var daemon = InProcessDaemon.Start(new DaemonOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Protocol = WireProtocol.Mux,
            MaxSessions = 2, // the mux connection and one terminal
        });
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint);
        using var admitted = await ConnectAsync(concentrator.Endpoint);
        await EchoClient.AssertEchoesAsync(admitted, "in"u8.ToArray());

        using var refused = await ConnectAsync(concentrator.Endpoint);
        var told = Encoding.ASCII.GetString(await EchoClient.ReceiveToEndAsync(refused));

        Assert.Contains("concentrator: the host closed this terminal: refused:", told);
        await EchoClient.AssertEchoesAsync(admitted, "still"u8.ToArray());
    }

    [Fact]
    public async Task Sigterm_drains_every_terminal_gets_the_echo_of_what_it_typed_then_a_fin_and_the_concentrator_exits_0()
    {
        using var meter = new RecordedMeter();
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, SubdaemonModel.Task, WireProtocol.Mux);
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint);
        var terminals = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ConnectAsync(concentrator.Endpoint)));
        var typed = new byte[10_000];
        new Random(7).NextBytes(typed);
        foreach (var terminal in terminals)
        {
            await terminal.SendAsync(typed);
        }
        // What the concentrator read is what its drain promises an echo of: here, all of it, since the host has it.
        await Eventually.AssertAsync(() => meter.Read("remotelogin.server.bytes.received") >= terminals.Length * typed.Length, "the host got everything typed");

        concentrator.Terminate();

        foreach (var terminal in terminals)
        {
            Assert.Equal(typed, await EchoClient.ReceiveToEndAsync(terminal)); // a FIN ends it; a reset fails it
            terminal.Dispose();
        }
        Assert.Equal(0, await concentrator.ExitedAsync(Eventually.Generous));
    }

    public static TheoryData<string, byte[], string> HostileFrames => new()
    {
        { "unknown type", Header(9, 1, 0), "frame type 9" },
        { "oversize", Header((byte)MuxFrameType.Data, 1, MuxLimits.MaxDataPayload + 1), "over its cap of 4096" },
        { "data for no terminal", [.. Header((byte)MuxFrameType.Data, 77, 1), (byte)'x'], "DATA for terminal 77, which is not open" },
    };

    [Theory]
    [MemberData(nameof(HostileFrames))]
    public async Task A_host_that_breaks_the_framing_gets_an_error_and_every_terminal_is_told_and_closed(string what, byte[] frame, string reason)
    {
        _ = what;
        using var host = new HostilePeer();
        using var concentrator = ConcentratorProcess.Start(host.Endpoint);
        using var link = await host.AcceptAsync();
        using var first = await ConnectAsync(concentrator.Endpoint);
        using var second = await ConnectAsync(concentrator.Endpoint);
        await first.SendAsync("x"u8.ToArray());
        await second.SendAsync("y"u8.ToArray());
        await host.ReadFramesUntilAsync(link, frames => frames.Count(f => f.Type == MuxFrameType.Data) == 2);

        await link.SendAsync(frame);

        foreach (var terminal in new[] { first, second })
        {
            var told = Encoding.ASCII.GetString(await EchoClient.ReceiveToEndAsync(terminal));
            Assert.Contains("concentrator: the connection to the host at", told);
            Assert.Contains(reason, told);
        }
        var error = await host.ReadFramesUntilAsync(link, frames => frames.Any(f => f.Type == MuxFrameType.Error));
        Assert.Contains(reason, error.Single(f => f.Type == MuxFrameType.Error).Text);
        Assert.Equal(1, await concentrator.ExitedAsync(Eventually.Generous));
        Assert.Contains($"concentrator: upstream {link.LocalEndPoint}: ", concentrator.StandardError);
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return socket;
    }

    private static byte[] Header(byte type, ushort terminal, int length)
    {
        var header = new byte[MuxLimits.HeaderLength];
        header[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(1), terminal);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(3), (ushort)length);
        return header;
    }

    /// <summary>A host the test plays: it takes the concentrator's connection and reads its frames, and sends whatever the test gives it.</summary>
    private sealed class HostilePeer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<byte> _unread = [];
        private readonly List<(MuxFrameType Type, string Text)> _frames = [];

        public HostilePeer()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(1);
        }

        public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

        public async Task<Socket> AcceptAsync() => await _listener.AcceptAsync().WaitAsync(Eventually.Generous);

        /// <summary>Every frame read so far, once <paramref name="enough"/> holds of them.</summary>
        public async Task<IReadOnlyList<(MuxFrameType Type, string Text)>> ReadFramesUntilAsync(Socket link, Func<IReadOnlyList<(MuxFrameType Type, string Text)>, bool> enough)
        {
            using var limit = new CancellationTokenSource(Eventually.Generous);
            var buffer = new byte[8192];
            while (!enough(_frames))
            {
                int received = await link.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
                Assert.True(received > 0, $"the concentrator ended the connection after {_frames.Count} frames");
                _unread.AddRange(buffer.AsSpan(0, received));
                var unread = new ReadOnlySequence<byte>([.. _unread]);
                MuxRead read;
                while ((read = MuxReader.TryRead(ref unread)).Status == MuxReadStatus.Frame)
                {
                    _frames.Add((read.Frame.Type, read.Frame.Text));
                }
                Assert.False(read.IsMalformed, read.Problem);
                _unread.RemoveRange(0, _unread.Count - (int)unread.Length);
            }
            return _frames;
        }

        public void Dispose() => _listener.Dispose();
    }
}
