using System.CommandLine;
using System.Globalization;
using System.Net;
using RemoteLogin.Bench.Counters;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Cli;
using RemoteLogin.Results;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// <c>RemoteLogin.Bench companion</c>: the bench's agent on a lab host, started over the run's ssh connection. It
/// answers one request line with one reply line (<see cref="CompanionProtocol"/>), reads only when asked (so nothing of
/// it runs, and ssh carries nothing, while a run is timed), and ends with its standard input.
/// </summary>
internal static class CompanionCommand
{
    public static Command Create()
    {
        var address = new Option<string>("--address") { Description = "This host's end of the data path", Required = true };
        var cpuIdle = Options.Vocabulary("--cpu-idle", CpuIdle.Default, "poll: hold /dev/cpu_dma_latency at 0 on this host while the companion runs");
        var command = new Command("companion", "The bench's agent on a lab host (the bench starts it over ssh)")
        {
            Hidden = true,
            Options = { address, cpuIdle },
        };
        command.SetAction(parsed =>
        {
            if (!IPAddress.TryParse(parsed.GetValue(address), out var dataAddress))
            {
                return CommandLineRunner.Reject(parsed, $"--address: '{parsed.GetValue(address)}' is not an IP address");
            }
            using var idle = CpuIdleHold.Acquire(parsed.GetValue(cpuIdle));
            using var agent = new LocalHostAgent(dataAddress, parsed.GetValue(cpuIdle), idle.Status);
            Serve(agent, Console.In, Console.Out);
            return 0;
        });
        return command;
    }

    private static void Serve(IHostAgent agent, TextReader requests, TextWriter replies)
    {
        IDaemonCounting? counting = null;
        try
        {
            while (requests.ReadLine() is { } request)
            {
                string reply;
                try
                {
                    reply = CompanionProtocol.Ok(Answer(agent, request, ref counting));
                }
                catch (Exception e)
                {
                    // Every request gets its one reply, whatever went wrong: the bench names the host and the reason.
                    reply = CompanionProtocol.Error($"{e.GetType().Name}: {e.Message}");
                }
                replies.WriteLine(reply);
                replies.Flush();
            }
        }
        finally
        {
            counting?.Dispose();
        }
    }

    private static object? Answer(IHostAgent agent, string request, ref IDaemonCounting? counting)
    {
        var words = request.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (words)
        {
            case [CompanionProtocol.System]:
                return agent.ReadSystem();
            case [CompanionProtocol.Describe]:
                return agent.Describe();
            case [CompanionProtocol.WatchOthers, ..]:
                agent.WatchOthers(ResultsJson.Deserialize<string[]>(request[(CompanionProtocol.WatchOthers.Length + 1)..]));
                return null;
            case [CompanionProtocol.OthersCpu]:
                return agent.OthersCpuPercent();
            case [CompanionProtocol.CountStart, var pid, var syscalls]:
                counting?.Dispose();
                counting = null; // a failed start leaves none behind
                counting = agent.StartCounting(int.Parse(pid, CultureInfo.InvariantCulture), syscalls == "1");
                return null;
            case [CompanionProtocol.CountWarmedUp]:
                Counting(counting).AtWarmedUp();
                return null;
            case [CompanionProtocol.CountMeasured]:
                Counting(counting).AtMeasured();
                return null;
            case [CompanionProtocol.CountFinish]:
                var figures = Counting(counting).Finish();
                counting!.Dispose();
                counting = null;
                return figures;
            case [CompanionProtocol.CountStop]:
                counting?.Dispose();
                counting = null;
                return null;
            default:
                throw new FormatException($"unknown request '{request}'");
        }
    }

    private static IDaemonCounting Counting(IDaemonCounting? counting) =>
        counting ?? throw new InvalidOperationException($"no counted pass: '{CompanionProtocol.CountStart}' first");
}

/// <summary>
/// The companion's exchange: a request word (and its arguments) on a line, and one reply line, <c>ok JSON</c> (the
/// JSON empty for a request that returns nothing) or <c>error WHY</c>.
/// </summary>
internal static class CompanionProtocol
{
    public const string System = "system";
    public const string Describe = "describe";
    public const string WatchOthers = "watch-others"; // then the run's folders, a JSON array
    public const string OthersCpu = "others-cpu";
    public const string CountStart = "count-start";
    public const string CountWarmedUp = "count-warmed-up";
    public const string CountMeasured = "count-measured";
    public const string CountFinish = "count-finish";
    public const string CountStop = "count-stop";

    private const string OkPrefix = "ok";
    private const string ErrorPrefix = "error ";

    public static string Ok(object? value) =>
        value is null ? OkPrefix : $"{OkPrefix} {ResultsJson.Serialize(value).ReplaceLineEndings(" ")}";

    public static string Error(string message) => ErrorPrefix + message.ReplaceLineEndings(" ");

    /// <summary>The JSON of an ok reply ("" for none); an error reply throws with its message.</summary>
    public static string Parse(string reply) => reply switch
    {
        OkPrefix => "",
        _ when reply.StartsWith(OkPrefix + " ", StringComparison.Ordinal) => reply[(OkPrefix.Length + 1)..],
        _ when reply.StartsWith(ErrorPrefix, StringComparison.Ordinal) => throw new InvalidOperationException(reply[ErrorPrefix.Length..]),
        _ => throw new FormatException($"not a companion reply: '{reply}'"),
    };
}
