using System.Globalization;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>Runs <see cref="FloorCommand"/> as a fresh child process of this program and reads its one line of JSON.</summary>
public static class FloorProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <param name="size">Round trips for a ping-pong floor, bytes for the stream floor.</param>
    public static FloorMeasurement Measure(FloorKind kind, long size, FloorPins pins)
    {
        List<string> arguments = ["floor", "--kind", kind.Name(), kind == FloorKind.Stream ? "--bytes" : "--round-trips", F(size)];
        if (pins.PingCpu is { } ping)
        {
            arguments.AddRange(["--ping-cpu", F(ping)]);
        }
        if (pins.EchoCpu is { } echo)
        {
            arguments.AddRange(["--echo-cpu", F(echo)]);
        }
        using var process = System.Diagnostics.Process.Start(SiblingProgram.StartInfo("RemoteLogin.Bench", arguments))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the {kind.Name()} floor did not finish within {Limit.TotalMinutes} minutes");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the {kind.Name()} floor exited with {process.ExitCode}: {stderr.Result.Trim()}");
        }
        return ResultsJson.Deserialize<FloorMeasurement>(stdout.Result);
    }

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);
}
