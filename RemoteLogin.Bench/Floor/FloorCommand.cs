using System.CommandLine;
using RemoteLogin.Cli;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// <c>RemoteLogin.Bench floor</c>: one floor measured in this fresh process, written to stdout as JSON. The bench starts
/// it beside every configuration, so a floor never shares a process with the bench's own threads (the EventPipe reader,
/// the progress display) and never inherits what an earlier measurement left warm or cold.
/// </summary>
public static class FloorCommand
{
    public static Command Create()
    {
        var kind = Options.Vocabulary("--kind", FloorKind.Blocking, "Which floor");
        var roundTrips = Options.Count("--round-trips", 10_000, "Round trips measured (blocking, spin)");
        var bytes = Options.Count("--bytes", 256L << 20, "Bytes echoed and timed (stream)");
        var pingCpu = Options.OptionalCount("--ping-cpu", "Pin the pinging (client) thread to this CPU", minimum: 0);
        var echoCpu = Options.OptionalCount("--echo-cpu", "Pin the echoing (daemon) thread to this CPU", minimum: 0);
        var command = new Command("floor", "Measure one floor in this process and print it as JSON (the bench runs it)")
        {
            Hidden = true,
            Options = { kind, roundTrips, bytes, pingCpu, echoCpu },
        };
        command.SetAction(parsed =>
        {
            var pins = new FloorPins((int?)parsed.GetValue(pingCpu), (int?)parsed.GetValue(echoCpu));
            var chosen = parsed.GetValue(kind);
            var measurement = chosen == FloorKind.Stream
                ? new FloorMeasurement(chosen, null, StreamFloor.Measure(parsed.GetValue(bytes), pins))
                : new FloorMeasurement(chosen, PingPongFloor.Measure(chosen, (int)parsed.GetValue(roundTrips), pins), null);
            Console.Out.WriteLine(ResultsJson.Serialize(measurement).ReplaceLineEndings(" "));
            return 0;
        });
        return command;
    }
}
