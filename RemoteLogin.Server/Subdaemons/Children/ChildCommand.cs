using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>
/// How a child serves its session: the daemon's echo strategy and protocol. The daemon has run the protocol's
/// opening already; the child frames the echo from where the opening left it.
/// </summary>
/// <param name="IdleTimeout">--idle-timeout: under process only the child has the client's socket, so it watches it itself.</param>
/// <param name="Warm">A preforked child: it runs its echo once over a private pair before it says it is ready.</param>
internal sealed record ChildCommand(BufferStrategy Echo, WireProtocol Protocol, TimeSpan IdleTimeout = default, bool Warm = false)
{
    /// <summary>The hidden <c>RemoteLogin.Server subdaemon</c> command line, with the control socket to connect back to.</summary>
    public string[] Arguments(string controlName) =>
        ["subdaemon", "--control", controlName, "--echo", Echo.Name(), "--protocol", Protocol.Name(),
         "--idle-timeout", ((long)IdleTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), .. (string[])(Warm ? ["--warm"] : [])];
}
