using System.Buffers.Binary;
using System.Net.Sockets;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Protocols.Mux;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.EndToEnd;

/// <summary>
/// --protocol mux against real daemons: a concentrator's terminals each get a session of their own under every model
/// and strategy, each within its own window, and a broken or hostile connection ends itself and its terminals alone.
/// </summary>
public class MuxTests
{
    public static TheoryData<SubdaemonModel, BufferStrategy> Pairs() => Pairings.EveryModelAndStrategy();

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Terminals_over_one_connection_each_get_their_own_bytes_back_intact_then_a_close(SubdaemonModel model, BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.Start(strategy, model, WireProtocol.Mux);
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        // More than a window each, so that the echo waits on credit and the input on the daemon's.
        var sent = new Dictionary<ushort, byte[]>();
        for (ushort id = 1; id <= 3; id++)
        {
            sent[id] = new byte[MuxLimits.Window * 2 + id * 1000];
            new Random(id).NextBytes(sent[id]);
            peer.Open(id);
        }

        await Task.WhenAll(sent.Select(t => peer.SendAsync(t.Key, t.Value)));
        foreach (var id in sent.Keys)
        {
            peer.Close(id);
        }

        foreach (var (id, bytes) in sent)
        {
            Assert.Equal("", await peer.ClosedAsync(id));
            Assert.Equal(bytes, await peer.EchoedAsync(id, bytes.Length));
        }
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Count(e => e.Peer is TerminalEndPoint) == 3, "each terminal's session ended");
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken);
    }

    [Theory]
    [InlineData(SubdaemonModel.Task)]
    [InlineData(SubdaemonModel.Process)]
    public async Task A_terminal_that_stops_reading_stalls_only_itself(SubdaemonModel model)
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model, WireProtocol.Mux);
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        peer.Open(1);
        peer.Open(2);
        peer.StopReading(1);

        // Terminal 1 sends until its echoes, never credited, have stopped the daemon from taking more of its input.
        // Far more than the socket pair and the session can hold between them, so the input's window must close.
        var stalled = peer.SendAsync(1, new byte[MuxLimits.Window * 32]);
        Assert.Equal(MuxLimits.Window, (await peer.EchoedAsync(1, MuxLimits.Window)).Length);
        var neighbour = new byte[MuxLimits.Window * 2];
        new Random(2).NextBytes(neighbour);
        await peer.SendAsync(2, neighbour);

        Assert.Equal(neighbour, await peer.EchoedAsync(2, neighbour.Length));
        Assert.False(stalled.IsCompleted); // still waiting on credit for its input: the window held
        Assert.Equal(MuxLimits.Window, (await peer.EchoedAsync(1, 0)).Length);
    }

    [Fact]
    public async Task The_concentrators_own_error_ends_its_connection_and_terminals_and_gets_no_error_back()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Pipelined, SubdaemonModel.Task, WireProtocol.Mux);
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        peer.Open(1);
        await peer.SendAsync(1, "before"u8.ToArray());
        Assert.Equal("before"u8.ToArray(), await peer.EchoedAsync(1, 6));

        peer.SendRaw([.. Header((byte)MuxFrameType.Error, MuxLimits.ConnectionTerminal, 3), .. "bye"u8]);

        await peer.Ended.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(peer.Error.IsCanceled); // the connection ended with no ERROR of the daemon's: an answer would go to a peer that has gone
        await Eventually.AssertAsync(() => daemon.Events.OfType<MuxBroken>().Any(), "the daemon's event for the connection");
        Assert.Equal("the concentrator reported: bye", daemon.Events.OfType<MuxBroken>().Single().Reason);
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Any(e => e.Peer is TerminalEndPoint), "its terminal ended");
    }

    public static TheoryData<string, byte[], string> HostileFrames => new()
    {
        { "unknown type", Header(9, 1, 0), "frame type 9" },
        { "oversize", Header((byte)MuxFrameType.Data, 1, MuxLimits.MaxDataPayload + 1), "over its cap of 4096" },
        { "data for no terminal", [.. Header((byte)MuxFrameType.Data, 7, 1), (byte)'x'], "DATA for terminal 7, which is not open" },
        { "past the window", PastTheWindow(), "past its window" },
        { "second open", [.. Header((byte)MuxFrameType.Open, 1, 0)], "OPEN for terminal 1, which is open" },
    };

    [Theory]
    [MemberData(nameof(HostileFrames))]
    public async Task A_broken_frame_ends_its_connection_and_its_terminals_with_an_error_and_no_other(string what, byte[] frames, string problem)
    {
        _ = what;
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Pipelined, SubdaemonModel.Task, WireProtocol.Mux);
        await using var bystander = await MuxPeer.ConnectAsync(daemon.Endpoint);
        bystander.Open(1);
        await using var hostile = await MuxPeer.ConnectAsync(daemon.Endpoint);
        hostile.Open(1);
        await hostile.SendAsync(1, "before"u8.ToArray());
        Assert.Equal("before"u8.ToArray(), await hostile.EchoedAsync(1, 6));

        // Its echoes uncredited from here on, so the daemon cannot go on crediting its input either: past the window is past it.
        hostile.StopReading(1);
        hostile.SendRaw(frames);

        Assert.Contains(problem, await hostile.Error.WaitAsync(TimeSpan.FromSeconds(60)));
        await hostile.Ended.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.AssertAsync(() => daemon.Events.OfType<MuxBroken>().Any(), "the daemon's event for the broken connection");
        var broken = daemon.Events.OfType<MuxBroken>().Single();
        Assert.Contains(problem, broken.Reason);
        Assert.Equal(hostile.LocalEndPoint, broken.Peer);
        Assert.Equal(1, broken.Terminals);
        await Eventually.AssertAsync(
            () => daemon.Events.OfType<SessionEnded>().Any(e => e.Peer is TerminalEndPoint t && t.Connection.Equals(hostile.LocalEndPoint)),
            "the hostile connection's terminal ended");

        await bystander.SendAsync(1, "still here"u8.ToArray());
        Assert.Equal("still here"u8.ToArray(), await bystander.EchoedAsync(1, 10));
        Assert.False(bystander.IsClosed(1));
    }

    [Fact]
    public async Task A_connection_that_ends_inside_a_frame_is_told_so_and_its_terminals_end()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive, SubdaemonModel.Thread, WireProtocol.Mux);
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        peer.Open(1);
        peer.SendRaw(Header((byte)MuxFrameType.Data, 1, 10)[..3]);
        peer.Disconnect();

        await Eventually.AssertAsync(() => daemon.Events.OfType<MuxBroken>().Any(), "the daemon's event for the broken connection");
        Assert.Contains("ended 3 bytes into a frame", daemon.Events.OfType<MuxBroken>().Single().Reason);
        // Aborted, whether its session had started or was still opening.
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionAborted>().Any(e => e.Peer is TerminalEndPoint), "its terminal ended");
        await peer.Ended.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_terminal_past_the_daemons_limit_is_refused_with_a_close_that_says_why_and_its_neighbours_go_on()
    {
        // The connection holds one place, terminal 1 the other.
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { Protocol = WireProtocol.Mux, MaxSessions = 2 });
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        peer.Open(1);
        peer.Open(2);
        await peer.SendAsync(2, "dropped"u8.ToArray()); // sent before the refusal arrived: dropped, not an error

        Assert.Contains("refused: --max-sessions (2)", await peer.ClosedAsync(2));
        await peer.SendAsync(1, "typed"u8.ToArray());
        Assert.Equal("typed"u8.ToArray(), await peer.EchoedAsync(1, 5));
        Assert.Empty(await peer.EchoedAsync(2, 0));
        Assert.Contains(daemon.Events, e => e is SessionRefused { Peer: TerminalEndPoint { Terminal: 2 }, Reason: RefusalReason.MaxSessions });
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken);
    }

    [Theory]
    [InlineData(SubdaemonModel.Task)]
    [InlineData(SubdaemonModel.Process)]
    public async Task A_terminal_number_opens_again_as_soon_as_both_ends_have_closed_it(SubdaemonModel model)
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Naive, model, WireProtocol.Mux);
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        for (int round = 0; round < 3; round++)
        {
            peer.Open(1);
            await peer.SendAsync(1, "again"u8.ToArray());
            Assert.Equal("again"u8.ToArray(), await peer.EchoedAsync(1, 5));
            peer.Close(1);
            Assert.Equal("", await peer.ClosedAsync(1)); // then at once the same number, its session perhaps still ending
        }
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken);
    }

    [Fact]
    public async Task A_connection_reset_under_its_terminals_ends_them_and_gives_their_places_back()
    {
        // The connection and its two terminals take every place there is.
        await using var daemon = InProcessDaemon.Start(new DaemonOptions { Protocol = WireProtocol.Mux, MaxSessions = 3 });
        var first = await MuxPeer.ConnectAsync(daemon.Endpoint);
        first.Open(1);
        first.Open(2);
        await first.SendAsync(1, "one"u8.ToArray());
        await first.SendAsync(2, "two"u8.ToArray());
        Assert.Equal(3, (await first.EchoedAsync(2, 3)).Length);

        first.Reset();
        await first.DisposeAsync();

        await Eventually.AssertAsync(() => daemon.Events.OfType<MuxBroken>().Any(e => e.Reason.StartsWith("connection lost")), "the lost connection's log line");
        await Eventually.AssertAsync(() => daemon.Events.OfType<SessionEnded>().Count(e => e.Peer is TerminalEndPoint) == 2, "both terminals ended");
        // Places come back once the first connection has closed: until then a refusal is a fair answer, a hang is not.
        await Eventually.AssertAsync(async () =>
        {
            await using var probe = await MuxPeer.ConnectAsync(daemon.Endpoint);
            probe.Open(1);
            probe.Open(2);
            await probe.SendAsync(2, "x"u8.ToArray());
            return (await probe.EchoedAsync(2, 1)).Length == 1;
        }, "the lost connection's places came back");
    }

    [Theory]
    [InlineData(SubdaemonModel.Task)]
    [InlineData(SubdaemonModel.Relay)]
    public async Task A_drain_echoes_every_terminals_input_then_closes_each_then_the_connection(SubdaemonModel model)
    {
        var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model, WireProtocol.Mux);
        await using var peer = await MuxPeer.ConnectAsync(daemon.Endpoint);
        var typed = new byte[20_000];
        new Random(3).NextBytes(typed);
        for (ushort id = 1; id <= 2; id++)
        {
            peer.Open(id);
            await peer.SendAsync(id, typed);
        }
        for (ushort id = 1; id <= 2; id++)
        {
            Assert.Equal(typed.Length, (await peer.EchoedAsync(id, typed.Length)).Length);
        }

        await daemon.DisposeAsync(); // the drain, as on SIGTERM

        for (ushort id = 1; id <= 2; id++)
        {
            Assert.Equal("", await peer.ClosedAsync(id));
            Assert.Equal(typed, await peer.EchoedAsync(id, typed.Length));
        }
        await peer.Ended.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(daemon.Events, e => e is MuxBroken or SessionAborted or DrainTimedOut);
    }

    private static byte[] Header(byte type, ushort terminal, int length)
    {
        var header = new byte[MuxLimits.HeaderLength];
        header[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(1), terminal);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(3), (ushort)length);
        return header;
    }

    /// <summary>
    /// Far more than terminal 1's window, none of it waiting for credit: more than the window and everything the
    /// socket pair and the session can take and credit back while their echo is stalled.
    /// </summary>
    private static byte[] PastTheWindow()
    {
        var frames = new List<byte>();
        for (int sent = 0; sent <= MuxLimits.Window * 32; sent += MuxLimits.MaxDataPayload)
        {
            frames.AddRange(Header((byte)MuxFrameType.Data, 1, MuxLimits.MaxDataPayload));
            frames.AddRange(new byte[MuxLimits.MaxDataPayload]);
        }
        return [.. frames];
    }
}
