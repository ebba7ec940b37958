using System.Diagnostics;
using System.Globalization;
using System.Net;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Client.Load;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// One run of <c>RemoteLogin.Client load --sync</c> as a child process, so its getrusage and GC counters are the
/// load generator's alone. The bench reads the daemon's counters at each edge the client announces.
/// </summary>
public static class ClientProcess
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    public sealed record Request(
        IPEndPoint Daemon, Scenario Scenario, BufferStrategy Strategy, SubdaemonModel Subdaemon, WireProtocol Protocol,
        ScenarioSize Size, string JsonPath, string HlogPath, IReadOnlyDictionary<string, string> Environment, bool CountSyscalls = false)
    {
        /// <summary>The seed of the text the sessions type (each session derives its own from it); the client's default when null.</summary>
        public int? TextSeed { get; init; }

        /// <summary>Applied to the client's start info before it is launched (CPU placement).</summary>
        public Action<ProcessStartInfo>? Configure { get; init; }
    }

    /// <summary>
    /// Run the client; <paramref name="atEdge"/> is called at each edge of the measured part, while nothing is in flight.
    /// With <see cref="Request.CountSyscalls"/>, the client runs under perf, which counts its system calls between the edges.
    /// </summary>
    public static RunResult Run(Request request, Action<string> atEdge)
    {
        string F(double value) => value.ToString(CultureInfo.InvariantCulture);
        string[] arguments =
        [
            "load", "--host", request.Daemon.Address.ToString(), "--port", F(request.Daemon.Port),
            "--scenario", request.Scenario.Name(), "--strategy", request.Strategy.Name(),
            "--subdaemon", request.Subdaemon.Name(), "--protocol", request.Protocol.Name(),
            "--sessions", F(request.Size.Sessions), "--chars", F(request.Size.Chars), "--warmup", F(request.Size.WarmupChars),
            "--json", request.JsonPath, "--hlog", request.HlogPath, "--sync",
        ];
        if (request.Size.CharsPerSecond > 0)
        {
            arguments = [.. arguments, "--rate", F(request.Size.CharsPerSecond)];
        }
        if (request.TextSeed is { } seed)
        {
            arguments = [.. arguments, "--seed", F(seed)];
        }
        Directory.CreateDirectory(Path.GetDirectoryName(request.JsonPath)!);
        File.Delete(request.JsonPath); // a result left by an earlier bench in the same directory must never pass for this one
        var start = SiblingProgram.StartInfo("RemoteLogin.Client", arguments, request.Environment);
        request.Configure?.Invoke(start);
        using var syscalls = request.CountSyscalls ? PerfSyscalls.Launch(start) : null;
        using var unwatched = syscalls is null ? Process.Start(start)! : null;
        var process = syscalls?.Process ?? unwatched!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            foreach (var edge in new[] { PhaseSync.WarmedUp, PhaseSync.Measured })
            {
                string? line = process.StandardOutput.ReadLineAsync().WaitAsync(StepTimeout).GetAwaiter().GetResult();
                if (line != edge)
                {
                    throw new InvalidOperationException($"the client said '{line}' where '{edge}' was due: {Tail(stderr)}");
                }
                if (edge == PhaseSync.WarmedUp)
                {
                    atEdge(edge);
                    syscalls?.Enable();
                }
                else
                {
                    syscalls?.Disable();
                    atEdge(edge);
                }
                process.StandardInput.WriteLine();
                process.StandardInput.Flush();
            }
            process.StandardOutput.ReadToEndAsync().WaitAsync(StepTimeout).GetAwaiter().GetResult();
            if (!process.WaitForExit(StepTimeout))
            {
                throw new TimeoutException("the client did not exit");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        if (!File.Exists(request.JsonPath))
        {
            throw new InvalidOperationException($"the client exited with {process.ExitCode} and wrote no results: {Tail(stderr)}");
        }
        var result = ResultsJson.Deserialize<RunResult>(File.ReadAllText(request.JsonPath)) with { HistogramLog = Path.GetFileName(request.HlogPath) };
        if (syscalls is not null)
        {
            result = result with { Client = result.Client with { Syscalls = syscalls.Count() } };
        }
        if (process.ExitCode != 0 && result.Succeeded)
        {
            throw new InvalidOperationException($"the client exited with {process.ExitCode} after a clean run: {Tail(stderr)}");
        }
        return result;
    }

    private static string Tail(Task<string> stderr) =>
        stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result.Trim().Split('\n').LastOrDefault() ?? "" : "";
}
