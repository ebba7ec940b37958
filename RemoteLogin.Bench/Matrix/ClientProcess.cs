using System.Globalization;
using System.Net;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Client.Load;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// One run of <c>RemoteLogin.Client load --sync</c> as a child process on a load host, so its getrusage and GC
/// counters are the load generator's alone. The client stops at each edge of the measured part and goes on when told
/// (<see cref="PhaseSync"/>): the bench reads the daemon's counters there, and starts several hosts' clients on one
/// barrier (<see cref="RunAll"/>).
/// </summary>
internal sealed class ClientProcess : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    /// <summary>One client's run; <paramref name="ClientStrategy"/> is the strategy it types with, which the daemon's echo may not share.</summary>
    public sealed record Request(
        IPEndPoint Daemon, Scenario Scenario, BufferStrategy ClientStrategy, SubdaemonModel Subdaemon, WireProtocol Protocol,
        ScenarioSize Size, string JsonPath, string HlogPath, IReadOnlyDictionary<string, string> Environment, bool CountSyscalls = false)
    {
        /// <summary>The seed of the text the sessions type (each session derives its own from it); the client's default when null.</summary>
        public int? TextSeed { get; init; }

        /// <summary>Applied to what is started before it is launched (CPU placement; this machine only).</summary>
        public Func<ChildStart, ChildStart>? Configure { get; init; }
    }

    private readonly Request _request;
    private readonly IProgramHost _host;
    private readonly string _json, _hlog; // where the client writes them on its host
    private readonly PerfSyscalls? _syscalls;
    private readonly ChildProcess _process;

    private ClientProcess(Request request, IProgramHost host, string json, string hlog, PerfSyscalls? syscalls, ChildProcess process)
    {
        _request = request;
        _host = host;
        _json = json;
        _hlog = hlog;
        _syscalls = syscalls;
        _process = process;
    }

    /// <summary>
    /// Start the client on <paramref name="host"/>. With <see cref="Request.CountSyscalls"/> on this machine it runs
    /// under perf, which counts its system calls between the edges; a lab host's client is not counted (its
    /// "syscalls" stays null).
    /// </summary>
    public static ClientProcess Start(Request request, IProgramHost host)
    {
        string F(double value) => value.ToString(CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Path.GetDirectoryName(request.JsonPath)!);
        File.Delete(request.JsonPath); // a result left by an earlier bench in the same directory must never pass for this one
        string json = host.IsLocal ? request.JsonPath : host.ScratchPath(Path.GetFileName(request.JsonPath));
        string hlog = host.IsLocal ? request.HlogPath : host.ScratchPath(Path.GetFileName(request.HlogPath));
        string[] arguments =
        [
            "load", "--host", request.Daemon.Address.ToString(), "--port", F(request.Daemon.Port),
            "--scenario", request.Scenario.Name(), "--strategy", request.ClientStrategy.Name(),
            "--subdaemon", request.Subdaemon.Name(), "--protocol", request.Protocol.Name(),
            "--sessions", F(request.Size.Sessions), "--chars", F(request.Size.Chars), "--warmup", F(request.Size.WarmupChars),
            "--json", json, "--hlog", hlog, "--sync",
        ];
        if (request.Size.CharsPerSecond > 0)
        {
            arguments = [.. arguments, "--rate", F(request.Size.CharsPerSecond)];
        }
        if (request.TextSeed is { } seed)
        {
            arguments = [.. arguments, "--seed", F(seed)];
        }
        var start = host.Program("RemoteLogin.Client", arguments, request.Environment) with
        {
            Description = host.IsLocal ? "the client" : $"the client on {host.Name}",
        };
        if (host.IsLocal && request.Configure is { } configure)
        {
            start = configure(start);
        }
        var syscalls = request.CountSyscalls && host.IsLocal ? PerfSyscalls.Launch(start) : null;
        return new ClientProcess(request, host, json, hlog, syscalls, syscalls?.Child ?? ChildProcess.Start(start));
    }

    /// <summary>Run the client on this machine; <paramref name="atEdge"/> is called at each edge, while nothing is in flight.</summary>
    public static RunResult Run(Request request, IProgramHost host, Action<string> atEdge) => RunAll([(request, host)], atEdge)[0];

    /// <summary>
    /// Run one client on each host at once, on one barrier: every client reaches an edge before <paramref name="atEdge"/>
    /// is called, and none goes on before it returns. Every client is ended, whatever happens.
    /// </summary>
    public static IReadOnlyList<RunResult> RunAll(IReadOnlyList<(Request Request, IProgramHost Host)> clients, Action<string> atEdge)
    {
        var started = new List<ClientProcess>();
        try
        {
            foreach (var (request, host) in clients)
            {
                started.Add(Start(request, host));
            }
            foreach (var edge in new[] { PhaseSync.WarmedUp, PhaseSync.Measured })
            {
                // Each waits in its own task: a client that stops early is named at once, not after the others time out.
                Task.WaitAll([.. started.Select(c => Task.Run(() => c.WaitFor(edge)))]);
                if (edge == PhaseSync.WarmedUp)
                {
                    atEdge(edge);
                    started.ForEach(c => c._syscalls?.Enable());
                }
                else
                {
                    started.ForEach(c => c._syscalls?.Disable());
                    atEdge(edge);
                }
                started.ForEach(c => c.Release());
            }
            return [.. started.Select(c => c.Finish())];
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            throw e.InnerExceptions[0] is InvalidOperationException or TimeoutException ? e.InnerExceptions[0] : e;
        }
        finally
        {
            started.ForEach(c => c.Dispose());
        }
    }

    private void WaitFor(string edge)
    {
        string? line = _process.ReadLine(StepTimeout);
        if (line != edge)
        {
            throw _process.Failed($"said '{line}' where '{edge}' was due");
        }
    }

    private void Release()
    {
        _process.Input.WriteLine();
        _process.Input.Flush();
    }

    private RunResult Finish()
    {
        _process.Output.ReadToEndAsync().WaitAsync(StepTimeout).GetAwaiter().GetResult();
        if (!_process.WaitForExit(StepTimeout))
        {
            throw new TimeoutException($"{_process.Description} did not exit");
        }
        if (!_host.IsLocal)
        {
            try
            {
                _host.Fetch(_json, _request.JsonPath);
                _host.Fetch(_hlog, _request.HlogPath);
            }
            catch (HostException e)
            {
                throw _process.Failed($"exited with {_process.ExitCode} and its results could not be fetched ({e.Message})");
            }
        }
        if (!File.Exists(_request.JsonPath))
        {
            throw _process.Failed($"exited with {_process.ExitCode} and wrote no results");
        }
        var result = ResultsJson.Deserialize<RunResult>(File.ReadAllText(_request.JsonPath)) with { HistogramLog = Path.GetFileName(_request.HlogPath) };
        if (_syscalls is not null)
        {
            result = result with { Client = result.Client with { Syscalls = _syscalls.Count() } };
        }
        if (_process.ExitCode != 0 && result.Succeeded)
        {
            throw _process.Failed($"exited with {_process.ExitCode} after a clean run");
        }
        return result;
    }

    /// <summary>Kills it (under perf, perf with it) if it is still running.</summary>
    public void Dispose()
    {
        if (_syscalls is not null)
        {
            _syscalls.Dispose();
        }
        else
        {
            _process.Dispose();
        }
    }
}
