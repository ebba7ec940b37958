using System.Globalization;
using System.Net;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Processes;
using RemoteLogin.Results;

namespace RemoteLogin.Bench.Matrix;

/// <summary>
/// <c>RemoteLogin.Client concentrator</c> as a child process in front of a mux daemon: the concentrator scenario's
/// front-end processor, and the tests'. It listens on an ephemeral loopback port of its host for the terminals.
/// </summary>
internal sealed class ConcentratorProcess : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private const string Prefix = "listening on ";

    private readonly ChildProcess _process;
    private readonly IProgramHost _host;

    private ConcentratorProcess(ChildProcess process, IProgramHost host, IPEndPoint endpoint)
    {
        _process = process;
        _host = host;
        Endpoint = endpoint;
    }

    /// <summary>Where its terminals connect.</summary>
    public IPEndPoint Endpoint { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>All it has written on stderr so far.</summary>
    public string StandardError => _process.StandardError;

    /// <param name="options">More of its options (--flush-delay, --protocol, ...).</param>
    /// <param name="host">Where it runs (this machine unless given).</param>
    /// <param name="configure">Applied to what is started before it is launched (CPU placement).</param>
    public static ConcentratorProcess Start(
        IPEndPoint upstream, IEnumerable<string>? options = null, IReadOnlyDictionary<string, string>? environment = null,
        IProgramHost? host = null, Func<ChildStart, ChildStart>? configure = null)
    {
        host ??= new LocalProgramHost(Path.GetTempPath());
        string[] arguments = ["concentrator", "--listen", new IPEndPoint(IPAddress.Loopback, 0).ToString(), "--upstream", upstream.ToString(), .. options ?? []];
        var start = host.Program("RemoteLogin.Client", arguments, environment) with
        {
            Description = host.IsLocal ? "the concentrator" : $"the concentrator on {host.Name}",
        };
        var process = ChildProcess.Start(configure?.Invoke(start) ?? start, host.Terminate, StartLimit);
        try
        {
            string line = process.FirstLine(StartLimit);
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw process.Failed($"said '{line}' first");
            }
            return new ConcentratorProcess(process, host, IPEndPoint.Parse(line[Prefix.Length..]));
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>Its CPU and context switches now, for <see cref="ConcentratorCost.Reading"/>'s subtraction; null on a lab host, which the bench cannot read from here.</summary>
    public ConcentratorCost.Reading? Read() => _host.IsLocal && !_process.HasExited ? ConcentratorCost.Reading.Of(_process.Id) : null;

    /// <summary>SIGTERM: it drains its terminals and exits.</summary>
    public void Terminate() => _host.Terminate(_process);

    /// <summary>Its exit code, once it has exited of its own accord or on <see cref="Terminate"/>, within <paramref name="limit"/>.</summary>
    public async Task<int> ExitedAsync(TimeSpan limit)
    {
        await _process.WaitForExitAsync().WaitAsync(limit);
        return _process.ExitCode;
    }

    /// <summary>After a run: SIGTERM and its drain; a concentrator that exits with anything but 0 says why.</summary>
    public void Stop(TimeSpan limit)
    {
        Terminate();
        if (!_process.WaitForExit(limit))
        {
            throw new TimeoutException($"{_process.Description} did not exit within {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s of its SIGTERM");
        }
        if (_process.ExitCode != 0)
        {
            throw _process.Failed();
        }
    }

    public void Dispose() => _process.Dispose();
}
