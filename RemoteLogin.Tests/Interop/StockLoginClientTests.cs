using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.Interop;

/// <summary>
/// The stock telnet and rlogin clients, in a real terminal (tmux), against the real daemon: a person types a line one
/// key at a time; each key reaches the daemon as a segment of its own, is echoed once, and shows once.
/// </summary>
public class StockLoginClientTests(ITestOutputHelper output)
{
    private const string BytesReceived = "remotelogin.server.bytes.received";
    private const string ReceiveCalls = "remotelogin.server.echo.receive_calls";
    private const string Line = "hello";

    public static TheoryData<WireProtocol, SubdaemonModel> Sessions => new()
    {
        { WireProtocol.Telnet, SubdaemonModel.Task },
        { WireProtocol.Telnet, SubdaemonModel.Process },
        { WireProtocol.Rlogin, SubdaemonModel.Task },
        { WireProtocol.Rlogin, SubdaemonModel.Thread },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public async Task A_stock_client_types_a_line_one_segment_per_key_and_the_pane_shows_it_once(WireProtocol protocol, SubdaemonModel model)
    {
        var client = StockLoginClient.For(protocol);
        using var meter = new RecordedMeter();
        // Batched: the daemon echoes what one receive returned with one send, so one receive is one segment.
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model, protocol);
        using var pane = TmuxPane.Start(client.Command(daemon.Endpoint), columns: 120, rows: 30);
        try
        {
            await Eventually.AssertAsync(pane.TerminalIsRaw, $"{client.Name} put its terminal in character mode without local echo");
            await Eventually.AssertAsync(() => meter.Read(BytesReceived) >= client.AnswerBytes, $"{client.Name}'s answer to the daemon's opening");
            var (row, callsBefore, bytesBefore) = await SettleAsync(pane, meter);

            for (int typed = 1; typed <= Line.Length; typed++)
            {
                string shown = Line[..typed];
                pane.Type(Line[typed - 1].ToString());
                await pane.WaitUntilAsync(s => s.CursorY == row && s.CursorX == shown.Length && s.CursorLine.StartsWith(shown, StringComparison.Ordinal),
                    $"the echo of '{shown}'");
            }
            pane.Press("Enter");
            int rowAfterEnter = client.EnterEchoesNewLine ? row + 1 : row;
            await pane.WaitUntilAsync(s => s.CursorY == rowAfterEnter && s.CursorX == 0, "the echo of Enter");

            await CountedAsync(meter, bytesBefore + Line.Length + client.EnterBytes);
            Assert.Equal(Line.Length + 1, meter.Read(ReceiveCalls) - callsBefore); // a segment per key, Enter's bytes in one
            Assert.Equal(Line.Length + client.EnterBytes, meter.Read(BytesReceived) - bytesBefore);
            var screen = pane.Look();
            Assert.Equal(Line, screen.Lines[row].TrimEnd()); // no local echo doubling any key
            Assert.Single(screen.Lines, l => l.Contains(Line, StringComparison.Ordinal));

            await client.QuitAsync(pane);
            var end = await pane.WaitUntilAsync(s => s.Lines.Any(l => l.StartsWith(client.ExitLine, StringComparison.Ordinal)), $"{client.Name} exit");
            Assert.Contains(client.ExitLine + "0", end.Lines);
            await Eventually.AssertAsync(() => meter.Read($"remotelogin.server.sessions.active[remotelogin.subdaemon={model.Name()}]") == 0,
                "the daemon saw the session end");
        }
        finally
        {
            output.WriteLine(pane.Look().ToString());
        }
    }

    /// <summary>
    /// Waits until the client has nothing of its own left on the way (negotiation answers, a window-size message): a
    /// Ctrl+J (a lone LF, echoed as a new line) goes out, and once its echo is on the screen every byte the client sent
    /// before it has reached the daemon; the client has settled when the daemon got that one byte in one receive and
    /// nothing else. Returns the row the cursor is on and the daemon's counts at that point.
    /// </summary>
    private static async Task<(int Row, long Calls, long Bytes)> SettleAsync(TmuxPane pane, RecordedMeter meter)
    {
        const int Tries = 10;
        long calls = meter.Read(ReceiveCalls), bytes = meter.Read(BytesReceived);
        for (int attempt = 0; attempt < Tries; attempt++)
        {
            int row = pane.Look().CursorY;
            pane.Press("C-j");
            var screen = await pane.WaitUntilAsync(s => s.CursorY == row + 1 && s.CursorX == 0, "the echo of Ctrl+J");
            await CountedAsync(meter, bytes + 1);
            long callsNow = meter.Read(ReceiveCalls), bytesNow = meter.Read(BytesReceived);
            if (callsNow - calls == 1 && bytesNow - bytes == 1)
            {
                return (screen.CursorY, callsNow, bytesNow);
            }
            (calls, bytes) = (callsNow, bytesNow);
        }
        Assert.Fail($"the client still sent bytes of its own after {Tries} lines");
        return default;
    }

    /// <summary>
    /// A subdaemon child's counts reach the daemon's meter by report, a moment after its echo is on the screen: wait
    /// until the meter has counted at least <paramref name="bytes"/> received.
    /// </summary>
    private static Task CountedAsync(RecordedMeter meter, long bytes) =>
        Eventually.AssertAsync(() => meter.Read(BytesReceived) >= bytes, $"the daemon's meter counted {bytes} bytes received");
}
