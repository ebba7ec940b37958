using System.CommandLine;
using System.Net;
using RemoteLogin.Cli;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// <c>RemoteLogin.Bench floor</c>: one floor measured in this fresh process, written to stdout as JSON. The bench starts
/// it beside every configuration, so a floor never shares a process with the bench's own threads (the EventPipe reader,
/// the progress display) and never inherits what an earlier measurement left warm or cold. In a two-host run it runs
/// one half only (<see cref="FloorRole"/>): the echo on the daemon's host, the ping on the first load host.
/// </summary>
internal static class FloorCommand
{
    public static Command Create()
    {
        var kind = Options.Vocabulary("--kind", FloorKind.Blocking, "Which floor");
        var role = Options.Vocabulary("--role", FloorRole.Both, "Which half runs here: both as two threads over loopback, or one of them");
        var listen = Options.Endpoint("--listen", "127.0.0.1:0", "Where the echo role listens for its one connection");
        var connect = Options.Endpoint("--connect", "127.0.0.1:0", "");
        connect.DefaultValueFactory = null; // no sensible default: the ping role is told where its echo listens
        connect.Description = "The echo the ping role connects to (ADDRESS:PORT, as its 'listening on' line gave it)";
        var acceptSeconds = Options.Count(
            "--accept-seconds", (long)SplitFloor.DefaultConnectionWait.TotalSeconds, "How long the echo role waits for its connection before it gives up");
        var roundTrips = Options.Count("--round-trips", 10_000, "Round trips measured (blocking, spin)", maximum: int.MaxValue);
        var bytes = Options.Count("--bytes", 256L << 20, "Bytes echoed and timed (stream)");
        var pingCpu = Options.OptionalCount("--ping-cpu", "Pin the pinging (client) thread to this CPU (roles both, ping)", minimum: 0);
        var echoCpu = Options.OptionalCount("--echo-cpu", "Pin the echoing (daemon) thread to this CPU (roles both, echo)", minimum: 0);
        var command = new Command("floor", "Measure one floor in this process and print it as JSON (the bench runs it)")
        {
            Hidden = true,
            Options = { kind, role, listen, connect, acceptSeconds, roundTrips, bytes, pingCpu, echoCpu },
        };
        command.SetAction(parsed =>
        {
            bool Given(Option option) => parsed.GetResult(option) is { Implicit: false };
            var chosen = parsed.GetValue(kind);
            var arrangement = parsed.GetValue(role);
            string? misplaced = arrangement switch
            {
                FloorRole.Both when Given(listen) || Given(connect) => $"{(Given(listen) ? "--listen" : "--connect")}: only for --role echo (--listen) or --role ping (--connect)",
                FloorRole.Echo when Given(connect) || Given(pingCpu) => $"{(Given(connect) ? "--connect" : "--ping-cpu")}: the echo role takes --listen and --echo-cpu",
                FloorRole.Ping when !Given(connect) => "--connect: the ping role needs the echo's ADDRESS:PORT",
                FloorRole.Ping when Given(listen) || Given(echoCpu) => $"{(Given(listen) ? "--listen" : "--echo-cpu")}: the ping role takes --connect and --ping-cpu",
                _ => null,
            };
            if (misplaced is not null)
            {
                return CommandLineRunner.Reject(parsed, misplaced);
            }
            var pins = new FloorPins((int?)parsed.GetValue(pingCpu), (int?)parsed.GetValue(echoCpu));
            long size = chosen == FloorKind.Stream ? parsed.GetValue(bytes) : parsed.GetValue(roundTrips);
            try
            {
                switch (arrangement)
                {
                    case FloorRole.Echo:
                        SplitFloor.Echo(chosen, parsed.GetValue(listen)!, pins.EchoCpu, Console.Out, TimeSpan.FromSeconds(parsed.GetValue(acceptSeconds)));
                        break;
                    case FloorRole.Ping:
                        Print(SplitFloor.Ping(chosen, parsed.GetValue(connect)!, size, pins.PingCpu));
                        break;
                    default:
                        Print(chosen == FloorKind.Stream
                            ? new FloorMeasurement(chosen, null, StreamFloor.Measure(size, pins))
                            : new FloorMeasurement(chosen, PingPongFloor.Measure(chosen, (int)size, pins), null));
                        break;
                }
            }
            catch (IOException e) when (arrangement != FloorRole.Both)
            {
                // A half on a lab host fails as one line: the bench quotes it, naming the host, in its own error.
                Console.Error.WriteLine($"floor: {e.Message}");
                return 1;
            }
            return 0;
        });
        return command;
    }

    private static void Print(FloorMeasurement measurement) =>
        Console.Out.WriteLine(ResultsJson.Serialize(measurement).ReplaceLineEndings(" "));
}
