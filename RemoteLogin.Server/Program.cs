using System.CommandLine;
using System.Runtime.InteropServices;
using RemoteLogin.Cli;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Server.Telemetry;
using RemoteLogin.Vocabulary;

var listen = Options.Endpoint("--listen", "127.0.0.1:5513", "Address and port to listen on");
var protocol = Options.Vocabulary("--protocol", WireProtocol.Raw, "Wire protocol: raw (RFC 862 echo), telnet (RFC 854, remote echo, character at a time), rlogin (RFC 1282), mux (a terminal concentrator's: many terminals over one connection)");
var subdaemon = Options.Vocabulary("--subdaemon", SubdaemonModel.Task, "How each session gets its own worker");
var echo = Options.Vocabulary("--echo", BufferStrategy.Naive, "Echo buffer strategy");
var maxSessions = Options.Count("--max-sessions", DaemonOptions.DefaultMaxSessions, "Live sessions at most, those still in their handshake included; a connection beyond them is closed at once and counted", maximum: 1_000_000);
var handshakeSeconds = Options.Positive("--handshake-timeout", DaemonOptions.DefaultHandshakeTimeout.TotalSeconds, "Seconds a client gets for its whole protocol handshake (rlogin) before the session is closed");
var maxPerSource = Options.Count("--max-sessions-per-source", DaemonOptions.DefaultMaxSessionsPerSource, "Live sessions from one address at most, so that one address cannot take every slot; beyond them a connection is closed at once and counted", maximum: 1_000_000);
var maxStartups = new Option<StartupLimit>("--max-startups")
{
    Description = $"Sessions still opening (handshake, child launch) at most, as sshd's MaxStartups start:rate:full: from start on, refuse rate% of new connections, rising to 100% at full; or one count N (default {StartupLimit.Default})",
    DefaultValueFactory = _ => StartupLimit.Default,
    CustomParser = result =>
    {
        if (StartupLimit.TryParse(result.Tokens.Single().Value, out var limit, out var error))
        {
            return limit;
        }
        result.AddError($"--max-startups: {error}");
        return StartupLimit.Default;
    },
};
var keepAliveSeconds = Options.Count("--keepalive", (long)DaemonOptions.DefaultKeepAlive.TotalSeconds, "Seconds of silence before TCP keepalive probes a session (then every sixth of it, six probes), so a vanished peer frees its session; 0 turns keepalive off", minimum: 0, maximum: 86_400);
var idleSeconds = Options.Count("--idle-timeout", 0, "Seconds a session may send nothing before it is closed (its echo finished first); 0, the default, never", minimum: 0, maximum: 86_400 * 365);
var prefork = Options.Count("--prefork", 0, "Under --subdaemon process and relay: children started and warmed ahead of their logins, so a login does not wait for a runtime to start; 0, the default, starts each at its login", minimum: 0, maximum: 1000);
var drainSeconds = Options.Positive("--drain-timeout", DaemonOptions.DefaultDrainTimeout.TotalSeconds, "Seconds live sessions get to finish echoing on SIGTERM/Ctrl+C");
// For the bench, not for people: it reads the daemon's figures exactly at the edges of a measured part.
var controlStdin = new Option<bool>("--control-stdin")
{
    Description = "Answer each 'snapshot' line on stdin with one 'snapshot JSON' line on stdout (after 'listening on'); end of stdin ends only that",
    Hidden = true,
};

var root = new RootCommand("RemoteLogin daemon: accepts TCP sessions and echoes every byte through a per-session subdaemon.")
{
    listen, protocol, subdaemon, echo, maxSessions, maxPerSource, maxStartups, keepAliveSeconds, idleSeconds, prefork, handshakeSeconds, drainSeconds, controlStdin,
};
root.Validators.Add(result =>
{
    if (result.GetValue(prefork) > 0 && !RemoteLogin.Server.Subdaemons.SubdaemonModels.StartsChildren(result.GetValue(subdaemon)))
    {
        result.AddError("--prefork: only --subdaemon process and relay start children to keep warm");
    }
});
root.SetAction(async (parsed, _) =>
{
    var options = new DaemonOptions
    {
        Listen = parsed.GetValue(listen)!,
        Protocol = parsed.GetValue(protocol),
        Model = parsed.GetValue(subdaemon),
        Echo = parsed.GetValue(echo),
        MaxSessions = (int)parsed.GetValue(maxSessions),
        MaxSessionsPerSource = (int)parsed.GetValue(maxPerSource),
        MaxStartups = parsed.GetValue(maxStartups),
        KeepAlive = TimeSpan.FromSeconds(parsed.GetValue(keepAliveSeconds)),
        IdleTimeout = TimeSpan.FromSeconds(parsed.GetValue(idleSeconds)),
        Prefork = (int)parsed.GetValue(prefork),
        HandshakeTimeout = TimeSpan.FromSeconds(parsed.GetValue(handshakeSeconds)),
        DrainTimeout = TimeSpan.FromSeconds(parsed.GetValue(drainSeconds)),
    };
    DaemonHost daemon;
    try
    {
        daemon = DaemonHost.Start(options, DaemonLog.StandardError);
    }
    catch (System.Net.Sockets.SocketException e)
    {
        DaemonLog.StandardError.Raise(new ListenFailed(options.Listen.ToString(), e.Message));
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
        SnapshotResponder.Start(daemon.Metrics.Usage, Console.OpenStandardInput(), Console.Out, DaemonLog.StandardError);
    }

    await stop.Task;
    await daemon.DisposeAsync(); // drains, aborting what is left after --drain-timeout
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
var childIdle = Options.Count("--idle-timeout", 0, "Seconds the client may send nothing before the session ends; 0 never", minimum: 0);
var childWarm = new Option<bool>("--warm") { Description = "Echo a few bytes over a private socket pair before connecting back (a preforked child)" };
var child = new Command("subdaemon", "Serve one session handed over by the daemon") { Hidden = true, Options = { controlName, childEcho, childProtocol, childIdle, childWarm } };
child.SetAction(parsed => ChildProcessMain.Run(parsed.GetValue(controlName)!, parsed.GetValue(childEcho), parsed.GetValue(childProtocol), TimeSpan.FromSeconds(parsed.GetValue(childIdle)), parsed.GetValue(childWarm)));
root.Subcommands.Add(child);

return await CommandLineRunner.RunAsync(root, args);
