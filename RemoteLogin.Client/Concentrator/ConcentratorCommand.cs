using System.CommandLine;
using RemoteLogin.Cli;
using RemoteLogin.Protocols.Mux;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Concentrator;

/// <summary><c>RemoteLogin.Client concentrator --listen ADDRESS:PORT --upstream HOST:PORT</c>: a terminal concentrator in front of a <c>--protocol mux</c> daemon.</summary>
internal static class ConcentratorCommand
{
    public const int DefaultMaxTerminals = 4096;

    public static Command Create()
    {
        var listen = Options.Endpoint("--listen", "127.0.0.1:5514", "Address and port the terminals connect to");
        var upstream = Options.Endpoint("--upstream", "127.0.0.1:5513", "ADDRESS:PORT of the daemon, which must run --protocol mux");
        var protocol = Options.Vocabulary("--protocol", WireProtocol.Raw, "What the terminals speak; the concentrator answers their openings itself", WireProtocols.Terminal);
        var flushDelay = Options.Milliseconds("--flush-delay", 0,
            "Milliseconds the first frame of a batch waits for more before the send to the host; 0, the default, sends whatever is ready as soon as the connection takes it",
            maximum: 1000);
        var maxTerminals = Options.Count("--max-terminals", DefaultMaxTerminals, "Terminals at once at most; one more is told so and closed", maximum: ushort.MaxValue);
        var openTimeout = Options.Positive("--handshake-timeout", 10, "Seconds a terminal gets for its opening (rlogin's handshake)");
        var drainTimeout = Options.Positive("--drain-timeout", 5, "Seconds the terminals get on SIGTERM/Ctrl+C for the host to echo what they typed");

        var command = new Command(
            "concentrator",
            "A terminal concentrator: terminals connect with plain TCP (raw, or stock telnet and rlogin clients, whose openings it answers), " +
            $"and it carries them all to the daemon over one --protocol mux connection. First stdout line: \"listening on ADDRESS:PORT\". " +
            $"Frames of {MuxLimits.MaxDataPayload} bytes at most, a {MuxLimits.Window / 1024} KiB window per terminal each way.")
        {
            listen, upstream, protocol, flushDelay, maxTerminals, openTimeout, drainTimeout,
        };
        command.SetAction(async (parsed, _) => await Concentrator.RunAsync(new ConcentratorOptions(
            parsed.GetValue(listen)!,
            parsed.GetValue(upstream)!,
            parsed.GetValue(protocol),
            TimeSpan.FromMilliseconds(parsed.GetValue(flushDelay)),
            (int)parsed.GetValue(maxTerminals),
            TimeSpan.FromSeconds(parsed.GetValue(openTimeout)),
            TimeSpan.FromSeconds(parsed.GetValue(drainTimeout)))));
        return command;
    }
}
