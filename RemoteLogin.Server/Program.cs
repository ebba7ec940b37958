using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using RemoteLogin.Cli;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Subdaemons;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

var listen = Options.Endpoint("--listen", "127.0.0.1:5513", "Address and port to listen on");
var protocol = Options.Vocabulary("--protocol", WireProtocol.Raw, "Wire protocol: raw (RFC 862 echo), telnet (RFC 854, remote echo, character at a time), rlogin (RFC 1282)");
var subdaemon = Options.Vocabulary("--subdaemon", SubdaemonModel.Task, "How each session gets its own worker");
var echo = Options.Vocabulary("--echo", BufferStrategy.Naive, "Echo buffer strategy");
var maxSessions = Options.Count("--max-sessions", DaemonSettings.DefaultMaxSessions, "Live sessions at most, those still in their handshake included; a connection beyond them is closed at once and counted", maximum: 1_000_000);
var handshakeSeconds = Options.Positive("--handshake-timeout", DaemonSettings.DefaultHandshakeTimeout.TotalSeconds, "Seconds a client gets for its whole protocol handshake (rlogin) before the session is closed");
var drainSeconds = Options.Positive("--drain-timeout", 5, "Seconds live sessions get to finish echoing on SIGTERM/Ctrl+C");
// For the bench, not for people: it reads the daemon's figures exactly at the edges of a measured part.
var controlStdin = new Option<bool>("--control-stdin")
{
    Description = "Answer each 'snapshot' line on stdin with one 'snapshot JSON' line on stdout (after 'listening on'); end of stdin ends only that",
    Hidden = true,
};

var root = new RootCommand("RemoteLogin daemon: accepts TCP sessions and echoes every byte through a per-session subdaemon.")
{
    listen, protocol, subdaemon, echo, maxSessions, handshakeSeconds, drainSeconds, controlStdin,
};
root.SetAction(async (parsed, _) =>
{
    var children = SubdaemonFactory.ChildrenFor(parsed.GetValue(subdaemon));
    using var metrics = new ServerMetrics(parsed.GetValue(subdaemon), children);
    var login = LoginProtocols.For(parsed.GetValue(protocol));
    var model = SubdaemonFactory.For(parsed.GetValue(subdaemon), parsed.GetValue(echo), login, metrics, children);
    var settings = new DaemonSettings
    {
        Protocol = login,
        MaxSessions = (int)parsed.GetValue(maxSessions),
        HandshakeTimeout = TimeSpan.FromSeconds(parsed.GetValue(handshakeSeconds)),
    };
    LoginDaemon daemon;
    try
    {
        daemon = LoginDaemon.Start(parsed.GetValue(listen)!, model, metrics, settings);
    }
    catch (System.Net.Sockets.SocketException e)
    {
        Console.Error.WriteLine($"{root.Name}: cannot listen on {parsed.GetValue(listen)}: {e.Message}");
        return 1;
    }

    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    // Kept, never disposed: a second signal while the process exits must not turn a clean exit into a kill.
    var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    Console.Out.WriteLine($"listening on {daemon.LocalEndPoint}");
    Console.Out.Flush();
    if (parsed.GetValue(controlStdin))
    {
        // Started after "listening on": every line after it on stdout is a reply.
        SnapshotResponder.Start(metrics.Usage, Console.OpenStandardInput(), Console.Out);
    }

    await stop.Task;
    await daemon.StopAsync(TimeSpan.FromSeconds(parsed.GetValue(drainSeconds)));
    GC.KeepAlive(sigterm);
    GC.KeepAlive(sigint);
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // exit through the drain, not at once
        stop.TrySetResult();
    }
});
// The child side of the process and relay models; the daemon starts it, people do not.
var controlName = new Option<string>("--control") { Description = "Abstract Unix socket name the daemon listens on for this child", Required = true };
var childEcho = Options.Vocabulary("--echo", BufferStrategy.Naive, "Echo buffer strategy");
var childProtocol = Options.Vocabulary("--protocol", WireProtocol.Raw, "Wire protocol; the daemon has run its opening");
var child = new Command("subdaemon", "Serve one session handed over by the daemon") { Hidden = true, Options = { controlName, childEcho, childProtocol } };
child.SetAction(parsed => ChildProcessMain.Run(parsed.GetValue(controlName)!, parsed.GetValue(childEcho), LoginProtocols.For(parsed.GetValue(childProtocol))));
root.Subcommands.Add(child);

return await CommandLineRunner.RunAsync(root, args);
