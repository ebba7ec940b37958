using RemoteLogin.Bench.Matrix;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.Interop;

/// <summary>
/// The stock telnet client, in a real terminal (tmux), through the real concentrator to a real --protocol mux daemon:
/// the concentrator answers telnet's negotiation as the daemon would (remote echo, character at a time), the host
/// echoes each key, and the pane shows the line once.
/// </summary>
public class ConcentratorStockClientTests(ITestOutputHelper output)
{
    private const string Line = "hello";

    [Theory]
    [InlineData(SubdaemonModel.Task)]
    [InlineData(SubdaemonModel.Process)]
    public async Task Stock_telnet_through_the_concentrator_types_a_line_and_the_pane_shows_it_once(SubdaemonModel model)
    {
        var client = StockLoginClient.For(WireProtocol.Telnet);
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Batched, model, WireProtocol.Mux);
        using var concentrator = ConcentratorProcess.Start(daemon.Endpoint, ["--protocol", "telnet"]);
        using var pane = TmuxPane.Start(client.Command(concentrator.Endpoint), columns: 120, rows: 30);
        try
        {
            await Eventually.AssertAsync(pane.TerminalIsRaw, "telnet put its terminal in character mode without local echo");
            int row = pane.Look().CursorY;

            for (int typed = 1; typed <= Line.Length; typed++)
            {
                string shown = Line[..typed];
                pane.Type(Line[typed - 1].ToString());
                await pane.WaitUntilAsync(s => s.CursorY == row && s.CursorX == shown.Length && s.CursorLine.StartsWith(shown, StringComparison.Ordinal),
                    $"the echo of '{shown}'");
            }
            // Enter is CR NUL; the host echoes the CR, which the concentrator sends on as CR NUL: back to the line's start.
            pane.Press("Enter");
            await pane.WaitUntilAsync(s => s.CursorY == row && s.CursorX == 0, "the echo of Enter");

            var screen = pane.Look();
            Assert.Equal(Line, screen.Lines[row].TrimEnd()); // no local echo doubling any key
            Assert.Single(screen.Lines, l => l.Contains(Line, StringComparison.Ordinal));

            await client.QuitAsync(pane);
            var end = await pane.WaitUntilAsync(s => s.Lines.Any(l => l.StartsWith(client.ExitLine, StringComparison.Ordinal)), "telnet exit");
            Assert.Contains(client.ExitLine + "0", end.Lines);
            await Eventually.AssertAsync(() => daemon.Events.OfType<RemoteLogin.Server.Daemon.SessionEnded>().Any(), "the host saw the terminal's session end");
        }
        finally
        {
            output.WriteLine(pane.Look().ToString());
        }
    }
}
