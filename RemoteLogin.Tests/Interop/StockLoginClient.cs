using System.Net;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Interop;

/// <summary>
/// What the tests rely on in a stock remote-login client of Debian 12, found by watching it on the wire:
/// <list type="bullet">
/// <item>telnet (inetutils-telnet 2.4): sends nothing of its own on connect to a port other than 23; answers WILL ECHO
/// and WILL SGA with DO ECHO, DO SGA in one segment, then puts the terminal in character mode; Enter sends CR NUL,
/// Ctrl+J a lone LF; Ctrl+] gives its "telnet>" prompt, where "quit" closes the connection and exits 0.</item>
/// <item>rlogin (rsh-client, netkit 0.17, setuid root): <c>-p PORT</c> picks the port; it binds a privileged source
/// port (1023 down) whoever runs it; the handshake goes in one segment (terminal "$TERM/38400" on a terminal, no speed
/// without one); urgent 0x80 makes it send the window size (FF FF 's' 's', rows, columns, x and y pixels); Enter sends
/// a lone CR, Ctrl+J a lone LF; "~." at the start of a line closes the connection and exits 0.</item>
/// </list>
/// </summary>
/// <param name="AnswerBytes">What the client sends by itself, answering the daemon's opening, before anything typed.</param>
internal sealed record StockLoginClient(WireProtocol Protocol, string Name, int AnswerBytes, int EnterBytes, bool EnterEchoesNewLine)
{
    public static StockLoginClient For(WireProtocol protocol) => protocol switch
    {
        // DO ECHO, DO SGA; Enter is CR NUL in, CR LF back.
        WireProtocol.Telnet => new(protocol, "telnet", AnswerBytes: 6, EnterBytes: 2, EnterEchoesNewLine: true),
        // Nothing it can be counted on for: it answers the urgent window-size request with a 12-byte message only when
        // the request arrives after its reader process has made itself the socket's owner (F_SETOWN, after a fork),
        // and the daemon sends it right after the \0. Settling takes either. Enter is CR in, CR back.
        WireProtocol.Rlogin => new(protocol, "rlogin", AnswerBytes: 0, EnterBytes: 1, EnterEchoesNewLine: false),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>
    /// The client, then a line with its exit status: the shell reaps the client itself, where tmux, in this sandbox,
    /// sometimes marks the pane dead without ever learning the status.
    /// </summary>
    public string Command(IPEndPoint daemon) => (Protocol == WireProtocol.Telnet
        ? $"telnet {daemon.Address} {daemon.Port}"
        : $"rlogin -p {daemon.Port} {daemon.Address}") + $"; echo {ExitLine}$?";

    /// <summary>What the pane shows once the client has exited, before its exit status.</summary>
    public string ExitLine => $"{Name} exited with status ";

    /// <summary>Ends the session the client's own way, from the start of a line.</summary>
    public async Task QuitAsync(TmuxPane pane)
    {
        if (Protocol == WireProtocol.Telnet)
        {
            pane.Press("C-]");
            await pane.WaitUntilAsync(s => s.CursorLine.StartsWith("telnet>", StringComparison.Ordinal), "telnet's command prompt");
            pane.Type("quit");
            pane.Press("Enter");
        }
        else
        {
            pane.Type("~");
            pane.Type(".");
        }
    }
}
