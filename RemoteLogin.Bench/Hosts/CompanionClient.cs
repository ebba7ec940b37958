using System.Diagnostics;
using System.Globalization;
using System.Net;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Measurement;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// The bench's end of a companion (<see cref="CompanionCommand"/>) on a lab host: each call is one request and its
/// reply over the companion's standard streams, ssh's. One caller at a time.
/// </summary>
public sealed class CompanionClient : IHostAgent
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    private readonly IProgramHost _host;
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private string? _broken; // why no more requests can be made, once that is so

    private CompanionClient(IProgramHost host, Process process)
    {
        _host = host;
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <param name="dataAddress">The host's end of the data path: its interface is the one counted.</param>
    public static CompanionClient Start(IProgramHost host, IPAddress dataAddress, CpuIdle cpuIdle)
    {
        var info = host.StartInfo("RemoteLogin.Bench", ["companion", "--address", dataAddress.ToString(), "--cpu-idle", cpuIdle.Name()]);
        return new CompanionClient(host, Process.Start(info)!);
    }

    public HostSystemCounters ReadSystem() => Ask<HostSystemCounters>(CompanionProtocol.System);

    public HostDescription Describe() => Ask<HostDescription>(CompanionProtocol.Describe);

    public void WatchOthers(IReadOnlyList<string> ourFolders) =>
        Ask($"{CompanionProtocol.WatchOthers} {ResultsJson.Serialize(ourFolders).ReplaceLineEndings(" ")}");

    public double OthersCpuPercent() => Ask<double>(CompanionProtocol.OthersCpu);

    public IDaemonCounting StartCounting(int daemonProcessId, bool countSyscalls)
    {
        Ask($"{CompanionProtocol.CountStart} {daemonProcessId.ToString(CultureInfo.InvariantCulture)} {(countSyscalls ? 1 : 0)}");
        return new RemoteCounting(this);
    }

    private T Ask<T>(string request)
    {
        string json = Ask(request);
        try
        {
            return ResultsJson.Deserialize<T>(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new HostException(_host.Name, $"the companion answered '{request}' with what does not parse ({e.Message})");
        }
    }

    private string Ask(string request)
    {
        if (_broken is not null)
        {
            throw new HostException(_host.Name, $"the companion cannot be asked '{request}': {_broken}");
        }
        string? reply;
        try
        {
            _process.StandardInput.WriteLine(request);
            _process.StandardInput.Flush();
            reply = _process.StandardOutput.ReadLineAsync().WaitAsync(ReplyTimeout).GetAwaiter().GetResult();
        }
        catch (IOException)
        {
            reply = null;
        }
        catch (TimeoutException)
        {
            _broken = $"'{request}' got no answer within {ReplyTimeout.TotalSeconds} s";
            throw new HostException(_host.Name, $"the companion {_broken}");
        }
        if (reply is null)
        {
            _broken = "it has gone";
            var lines = _stderr.Wait(TimeSpan.FromSeconds(5)) ? _stderr.Result.Trim().Split('\n') : [];
            // A crash's first line says what; its last is only the deepest frame of the stack.
            string tail = lines.FirstOrDefault(l => l.StartsWith("Unhandled exception", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "";
            throw new HostException(_host.Name, $"the companion ended instead of answering '{request}': {tail}");
        }
        try
        {
            return CompanionProtocol.Parse(reply);
        }
        catch (InvalidOperationException e)
        {
            throw new HostException(_host.Name, $"'{request}' failed there: {e.Message}");
        }
        catch (FormatException)
        {
            // Something else wrote to the companion's stdout (a login script's echo): the exchange can no longer be trusted.
            _broken = $"it answered '{request}' with '{reply}'";
            throw new HostException(_host.Name, $"the companion {_broken}, not a reply; does a login script there print something?");
        }
    }

    public void Dispose()
    {
        // Its standard input ends: the companion (through its tether) stops, and whatever it attached goes with it.
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    /// <summary>The companion's counted pass, told at each edge over the same exchange.</summary>
    private sealed class RemoteCounting(CompanionClient companion) : IDaemonCounting
    {
        private bool _finished;

        public void AtWarmedUp() => companion.Ask(CompanionProtocol.CountWarmedUp);

        public void AtMeasured() => companion.Ask(CompanionProtocol.CountMeasured);

        public CountedFigures Finish()
        {
            _finished = true;
            return companion.Ask<CountedFigures>(CompanionProtocol.CountFinish);
        }

        public void Dispose()
        {
            if (!_finished && companion._broken is null)
            {
                // Ends what the companion attached (perf, the metrics session) before another pass starts its own.
                try
                {
                    companion.Ask(CompanionProtocol.CountStop);
                }
                catch (HostException)
                {
                }
            }
        }
    }
}
