using System.Globalization;
using System.Net;
using System.Text.Json;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// Runs <see cref="FloorCommand"/> as fresh child processes and reads the one line of JSON it measures: both halves in
/// one child of this program (<see cref="Measure"/>), or the echo on one host and the ping on another
/// (<see cref="MeasureAcross"/>).
/// </summary>
internal static class FloorProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>How long an echo gets to start and say where it listens: over ssh that includes the login.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(1);

    /// <summary>How long an echo gets to exit once its ping has finished and so ended the connection.</summary>
    private static readonly TimeSpan EchoExitLimit = TimeSpan.FromSeconds(30);

    /// <summary>How long a half still running when the measurement failed gets to end as its host ends programs, before it is killed.</summary>
    private static readonly TimeSpan EndGrace = TimeSpan.FromSeconds(5);

    /// <summary>Where <see cref="Measure"/>'s child runs; floors write no files, so its scratch folder is never used.</summary>
    private static readonly LocalProgramHost Here = new(Path.GetTempPath());

    /// <summary>Both halves in one child process on this machine, over loopback: the one-host floor.</summary>
    /// <param name="size">Round trips for a ping-pong floor, bytes for the stream floor.</param>
    public static FloorMeasurement Measure(FloorKind kind, long size, FloorPins pins)
    {
        using var child = Start(Here, $"the {kind.Name()} floor", ["floor", "--kind", kind.Name(), .. Size(kind, size), .. Pins(pins)]);
        return Read(child);
    }

    /// <summary>
    /// The echo half on <paramref name="echoHost"/>, listening on <paramref name="echoAddress"/> (an ephemeral port), and
    /// the ping half on <paramref name="pingHost"/> connecting to it: the floor over the same path as the keystrokes of a
    /// two-host run. Throws naming the half and the host that failed; both processes are ended whatever happens.
    /// </summary>
    /// <param name="size">Round trips for a ping-pong floor, bytes for the stream floor.</param>
    /// <param name="pins">CPUs on each half's own host; none unless given.</param>
    public static FloorMeasurement MeasureAcross(
        FloorKind kind, long size, IProgramHost echoHost, IPAddress echoAddress, IProgramHost pingHost, FloorPins? pins = null)
    {
        pins ??= FloorPins.None;
        string floor = $"the {kind.Name()} floor";
        using var echo = Start(
            echoHost,
            $"{floor}'s echo on {echoHost.Name}",
            ["floor", "--kind", kind.Name(), "--role", "echo", "--listen", new IPEndPoint(echoAddress, 0).ToString(), .. Pins(pins with { PingCpu = null })]);
        string line = echo.FirstLine(StartLimit);
        if (!line.StartsWith(SplitFloor.ListeningPrefix, StringComparison.Ordinal)
            || !IPEndPoint.TryParse(line[SplitFloor.ListeningPrefix.Length..], out var listening))
        {
            throw new InvalidOperationException($"{echo.Description} printed '{line}' instead of '{SplitFloor.ListeningPrefix}ADDRESS:PORT'");
        }
        using var ping = Start(
            pingHost,
            $"{floor}'s ping on {pingHost.Name}",
            ["floor", "--kind", kind.Name(), "--role", "ping", "--connect", listening.ToString(), .. Size(kind, size), .. Pins(pins with { EchoCpu = null })]);
        var measurement = Read(ping);
        echo.Finish(EchoExitLimit);
        return measurement;
    }

    /// <summary>
    /// One <c>RemoteLogin.Bench floor</c> process (both halves, or one of them) through a host, named by
    /// <paramref name="description"/> (the floor, the half and the host) in every failure. Its stdin stays open until it
    /// is disposed: on a lab host, closing it is what ends the program.
    /// </summary>
    private static ChildProcess Start(IProgramHost host, string description, IEnumerable<string> arguments) =>
        ChildProcess.Start(host.Program("RemoteLogin.Bench", arguments) with { Description = description }, host.Terminate, EndGrace);

    private static FloorMeasurement Read(ChildProcess child)
    {
        string json = child.Finish(Limit);
        try
        {
            return ResultsJson.Deserialize<FloorMeasurement>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{child.Description} printed '{json.Trim()}' instead of a floor measurement", e);
        }
    }

    private static string[] Size(FloorKind kind, long size) => [kind == FloorKind.Stream ? "--bytes" : "--round-trips", F(size)];

    private static IEnumerable<string> Pins(FloorPins pins)
    {
        if (pins.PingCpu is { } ping)
        {
            yield return "--ping-cpu";
            yield return F(ping);
        }
        if (pins.EchoCpu is { } echo)
        {
            yield return "--echo-cpu";
            yield return F(echo);
        }
    }

    private static string F(long value) => value.ToString(CultureInfo.InvariantCulture);
}
