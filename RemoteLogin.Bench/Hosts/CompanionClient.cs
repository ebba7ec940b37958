using System.Globalization;
using System.Net;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// The bench's end of a companion (<see cref="CompanionCommand"/>) on a lab host: each call is one request and its
/// reply over the companion's standard streams, ssh's. One caller at a time.
/// </summary>
internal sealed class CompanionClient : IHostAgent
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long the companion gets to end (through its tether) once its stdin is closed, before ssh's tree is killed.</summary>
    private static readonly TimeSpan EndLimit = TimeSpan.FromSeconds(30);

    private readonly IProgramHost _host;
    private readonly ChildProcess _process;
    private string? _broken; // why no more requests can be made, once that is so

    private CompanionClient(IProgramHost host, ChildProcess process)
    {
        _host = host;
        _process = process;
    }

    /// <param name="dataAddress">The host's end of the data path: its interface is the one counted.</param>
    public static CompanionClient Start(IProgramHost host, IPAddress dataAddress, CpuIdle cpuIdle)
    {
        var start = host.Program("RemoteLogin.Bench", ["companion", "--address", dataAddress.ToString(), "--cpu-idle", cpuIdle.Name()]);
        // Disposed, its standard input ends: the companion (through its tether) stops, and whatever it attached goes with it.
        return new CompanionClient(host, ChildProcess.Start(start with { Description = "the companion" }, companion => companion.Input.Close(), EndLimit));
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
            reply = _process.Exchange(request, ReplyTimeout);
        }
        catch (TimeoutException)
        {
            _broken = $"'{request}' got no answer within {ReplyTimeout.TotalSeconds} s";
            throw new HostException(_host.Name, $"the companion {_broken}");
        }
        if (reply is null)
        {
            _broken = "it has gone";
            throw new HostException(_host.Name, _process.Failed($"ended instead of answering '{request}'").Message);
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

    public void Dispose() => _process.Dispose();

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
