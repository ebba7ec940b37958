using System.Net;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Measurement;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Matrix;

/// <summary>RemoteLogin.Server as a child process on an ephemeral port: on this machine over loopback, or on a lab host.</summary>
internal sealed class DaemonProcess : IDisposable
{
    /// <summary>How long the daemon gets to say where it listens: over ssh that includes the login.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    /// <summary>Longer than the tether's own wait between its SIGTERM and its kill.</summary>
    private static readonly TimeSpan RemoteEndLimit = TimeSpan.FromSeconds(40);

    private readonly ChildProcess _process;
    private readonly IProgramHost _host;
    private readonly bool _controlStdin;
    private string? _controlBroken; // why no more snapshots can be asked for, once that is so

    private DaemonProcess(ChildProcess process, IProgramHost host, IPEndPoint endpoint, bool controlStdin)
    {
        _process = process;
        _host = host;
        Endpoint = endpoint;
        _controlStdin = controlStdin;
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>The daemon's process id on its own host (on a lab host, the one its snapshots give).</summary>
    public int ProcessId => _host.IsLocal ? _process.Id : _hostProcessId ??= Snapshot(TimeSpan.FromSeconds(15)).ProcessId;

    private int? _hostProcessId;

    public bool HasExited => _process.HasExited;

    /// <summary>Start the daemon with <paramref name="arguments"/> (without --listen) and wait for its "listening on" line.</summary>
    /// <param name="programDirectory">Where the daemon is built; beside this program unless given.</param>
    /// <param name="controlStdin">Let <see cref="Snapshot"/> ask the daemon for its figures over its standard input.</param>
    /// <param name="configure">Applied to what is started before it is launched (CPU placement).</param>
    /// <param name="host">Where it runs (this machine unless given), listening on <paramref name="listenAddress"/> (loopback unless given).</param>
    public static DaemonProcess Start(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? programDirectory = null,
        bool controlStdin = false, Func<ChildStart, ChildStart>? configure = null, IProgramHost? host = null, IPAddress? listenAddress = null)
    {
        string[] control = controlStdin ? ["--control-stdin"] : [];
        string[] all = ["--listen", new IPEndPoint(listenAddress ?? IPAddress.Loopback, 0).ToString(), .. control, .. arguments];
        host ??= new LocalProgramHost(Path.GetTempPath(), programDirectory);
        var start = host.Program("RemoteLogin.Server", all, environment) with { Description = host.IsLocal ? "the daemon" : $"the daemon on {host.Name}" };
        // Disposed here, the daemon alone is killed (its children must see it go, as they would a crash); on a lab
        // host its tether is asked to SIGTERM it and given the time to (a bench that fails must not leave a daemon
        // draining behind it), ssh's whole tree killed only if that does not come.
        var process = ChildProcess.Start(configure?.Invoke(start) ?? start, host.IsLocal ? null : host.Terminate, RemoteEndLimit);
        const string prefix = "listening on ";
        try
        {
            var firstLine = process.FirstLine(StartLimit);
            if (!firstLine.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{process.Description} did not start: '{firstLine}'");
            }
            return new DaemonProcess(process, host, IPEndPoint.Parse(firstLine[prefix.Length..]), controlStdin);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The daemon's figures now, read by the daemon itself when asked (started with <c>controlStdin</c>); two of them
    /// around a measured part give its cost with <see cref="DaemonSnapshot.ServerCost"/>. Throws
    /// <see cref="InvalidOperationException"/> when the daemon has died (with the tail of its stderr) or answers with
    /// an error, and <see cref="TimeoutException"/> when it does not answer within <paramref name="timeout"/>; after
    /// either, no more snapshots can be asked for. One caller at a time: a request and its reply are one exchange.
    /// </summary>
    public DaemonSnapshot Snapshot(TimeSpan timeout)
    {
        if (!_controlStdin)
        {
            throw new InvalidOperationException("the daemon was started without controlStdin: it does not answer snapshots");
        }
        if (_controlBroken is not null)
        {
            throw new InvalidOperationException($"no more snapshots from the daemon: {_controlBroken}");
        }
        string? reply;
        try
        {
            // After "listening on", the daemon's stdout carries nothing but replies, one line for each request.
            reply = _process.Exchange(DaemonSnapshot.Request, timeout);
        }
        catch (TimeoutException)
        {
            _controlBroken = $"a snapshot got no answer within {timeout.TotalSeconds} s";
            throw new TimeoutException($"the daemon (pid {_process.Id}) did not answer a snapshot within {timeout.TotalSeconds} s");
        }
        if (reply is null)
        {
            _controlBroken = "the daemon closed its stdout";
            throw new DaemonGoneException(WhyGone("instead of answering a snapshot"));
        }
        try
        {
            return DaemonSnapshot.FromReply(reply);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"the daemon answered a snapshot with '{reply}'", e);
        }
    }

    /// <summary>End the daemon's standard input: it stops answering snapshots and serves on (on a lab host its tether takes the end for a SIGTERM: use it here only).</summary>
    public void CloseControl()
    {
        _controlBroken ??= "its control stdin was closed";
        _process.Input.Close();
    }

    /// <summary>SIGTERM, then wait for the drain; returns the exit code.</summary>
    public int Stop(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            _host.Terminate(_process);
        }
        return WaitForExit(timeout);
    }

    /// <summary>Wait for a daemon that was already told to stop; returns the exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireTree: false);
            _process.WaitForExit(Timeout.InfiniteTimeSpan);
            throw new TimeoutException($"the daemon did not exit within {timeout.TotalSeconds} s");
        }
        return _process.ExitCode;
    }

    /// <summary>All the daemon wrote on stderr, once it has exited.</summary>
    public string StandardErrorAfterExit() => _process.StandardError;

    /// <summary>The daemon's end in one message, for a caller that found it gone: how it exited, where, and its last words.</summary>
    public string WhyGone(string doing)
    {
        // A daemon that closed its stdout is exiting: give it a moment to finish, so that its code and last words are in.
        string how = _process.WaitForExit(TimeSpan.FromSeconds(5)) ? $"exited with code {_process.ExitCode}" : "closed its stdout but is still running";
        string pid = _host.IsLocal ? $"(pid {_process.Id}) " : ""; // a lab host's daemon is named with its host
        return _process.Failed($"{pid}{how} {doing}").Message;
    }

    /// <summary>Ends the daemon at once here; on a lab host, asks its tether to SIGTERM it and waits for that.</summary>
    public void Dispose()
    {
        if (_host.IsLocal)
        {
            _process.Kill(entireTree: false); // the daemon alone: its children must see it go, as they would a crash
            _process.WaitForExit(Timeout.InfiniteTimeSpan);
        }
        _process.Dispose();
    }
}

/// <summary>The daemon has gone: the message says how, where, and what it last wrote.</summary>
internal sealed class DaemonGoneException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
