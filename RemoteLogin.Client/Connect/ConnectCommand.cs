using System.CommandLine;
using System.Globalization;
using System.Net;
using RemoteLogin.Cli;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Connect;

/// <summary><c>RemoteLogin.Client connect HOST [PORT]</c>: an interactive remote login.</summary>
internal static class ConnectCommand
{
    public const int DefaultPort = 5513;

    public static Command Create()
    {
        // Optional to the parser only, so that its absence is reported by name like every other bad argument.
        var host = new Argument<string>("HOST") { Description = "Daemon host name or address (required)", Arity = ArgumentArity.ZeroOrOne };
        var port = new Argument<int>("PORT")
        {
            Description = $"Daemon port (default {DefaultPort})",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => DefaultPort,
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return DefaultPort;
                }
                var text = result.Tokens[0].Value;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= IPEndPoint.MaxPort)
                {
                    return value;
                }
                result.AddError($"PORT: '{text}' is not a whole number in 1-{IPEndPoint.MaxPort}");
                return DefaultPort;
            },
        };
        var protocol = Options.Vocabulary("--protocol", WireProtocol.Raw, "Wire protocol", WireProtocols.Terminal);
        var openTimeout = Options.Positive("--open-timeout", 10, "Seconds the protocol's opening (telnet negotiation, rlogin handshake) may take");

        var command = new Command(
            "connect",
            "Interactive remote login: the terminal goes raw, each key is sent at once and the server's echo shown. " +
            "~. at the start of a line ends the session (~~ sends one ~). On exit, stderr gets the keystroke round trips " +
            "(count, p50, p99 in µs): one is timed from sending a key, when no earlier key awaits its echo, to the first " +
            "data shown after it. With standard input not a terminal, it is streamed as is (no ~ escapes), the sending " +
            "side is shut at its end, and echoes are shown until the server closes.")
        {
            host, port, protocol, openTimeout,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(host) is not { Tokens.Count: > 0 })
            {
                result.AddError("HOST: missing (connect HOST [PORT])");
            }
        });
        command.SetAction((parsed, _) =>
        {
            var options = new ConnectOptions(
                parsed.GetValue(host)!,
                parsed.GetValue(port),
                parsed.GetValue(protocol),
                TimeSpan.FromSeconds(parsed.GetValue(openTimeout)));
            return Task.FromResult(new ConnectSession(options).Run());
        });
        return command;
    }
}
