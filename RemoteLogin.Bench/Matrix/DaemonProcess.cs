using System.Diagnostics;
using System.Net;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Measurement;

namespace RemoteLogin.Bench.Matrix;

/// <summary>RemoteLogin.Server as a child process on an ephemeral port: on this machine over loopback, or on a lab host.</summary>
public sealed class DaemonProcess : IDisposable
{
    private const int StderrTailLines = 20;

    private readonly Process _process;
    private readonly IProgramHost _host;
    private readonly Task<string> _stderr;
    private readonly bool _controlStdin;
    private string? _controlBroken; // why no more snapshots can be asked for, once that is so

    private DaemonProcess(Process process, IProgramHost host, IPEndPoint endpoint, bool controlStdin)
    {
        _process = process;
        _host = host;
        Endpoint = endpoint;
        _controlStdin = controlStdin;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>The daemon's process id on its own host (on a lab host, the one its snapshots give).</summary>
    public int ProcessId => _host.IsLocal ? _process.Id : _hostProcessId ??= Snapshot(TimeSpan.FromSeconds(15)).ProcessId;

    private int? _hostProcessId;

    public bool HasExited => _process.HasExited;

    /// <summary>Start the daemon with <paramref name="arguments"/> (without --listen) and wait for its "listening on" line.</summary>
    /// <param name="programDirectory">Where the daemon is built; beside this program unless given.</param>
    /// <param name="controlStdin">Let <see cref="Snapshot"/> ask the daemon for its figures over its standard input.</param>
    /// <param name="configure">Applied to the daemon's start info before it is launched (CPU placement).</param>
    /// <param name="host">Where it runs (this machine unless given), listening on <paramref name="listenAddress"/> (loopback unless given).</param>
    public static DaemonProcess Start(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? programDirectory = null,
        bool controlStdin = false, Action<ProcessStartInfo>? configure = null, IProgramHost? host = null, IPAddress? listenAddress = null)
    {
        string[] control = controlStdin ? ["--control-stdin"] : [];
        string[] all = ["--listen", new IPEndPoint(listenAddress ?? IPAddress.Loopback, 0).ToString(), .. control, .. arguments];
        host ??= new LocalProgramHost(Path.GetTempPath(), programDirectory);
        var info = host.StartInfo("RemoteLogin.Server", all, environment);
        configure?.Invoke(info);
        var process = Process.Start(info)!;
        const string prefix = "listening on ";
        try
        {
            var firstLine = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (firstLine is null || !firstLine.StartsWith(prefix, StringComparison.Ordinal))
            {
                string where = host.IsLocal ? "" : $" on {host.Name}";
                string why = firstLine is null && process.WaitForExit(TimeSpan.FromSeconds(5)) ? process.StandardError.ReadToEnd().Trim() : $"'{firstLine}'";
                throw new InvalidOperationException($"the daemon{where} did not start: {why}");
            }
            return new DaemonProcess(process, host, IPEndPoint.Parse(firstLine[prefix.Length..]), controlStdin);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
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
            _process.StandardInput.WriteLine(DaemonSnapshot.Request);
            _process.StandardInput.Flush();
            // After "listening on", the daemon's stdout carries nothing but replies, one line for each request.
            reply = _process.StandardOutput.ReadLineAsync().WaitAsync(timeout).GetAwaiter().GetResult();
        }
        catch (IOException)
        {
            reply = null; // its end of stdin closed: the daemon is gone, which the next lines say better
        }
        catch (TimeoutException)
        {
            // The read is still pending and would take the late reply as the next request's: this channel is done.
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
        _process.StandardInput.Close();
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
            _process.Kill();
            _process.WaitForExit();
            throw new TimeoutException($"the daemon did not exit within {timeout.TotalSeconds} s");
        }
        return _process.ExitCode;
    }

    public string StandardErrorAfterExit() => _stderr.Wait(TimeSpan.FromSeconds(5)) ? _stderr.Result : "";

    /// <summary>The daemon's end in one message, for a caller that found it gone: how it exited, where, and its last words.</summary>
    public string WhyGone(string doing)
    {
        // A daemon that closed its stdout is exiting: give it a moment to finish, so that its code and last words are in.
        string how = _process.WaitForExit(TimeSpan.FromSeconds(5)) ? $"exited with code {_process.ExitCode}" : "closed its stdout but is still running";
        var tail = StandardErrorAfterExit().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(StderrTailLines).ToArray();
        string stderr = tail.Length == 0 ? "nothing on stderr" : "stderr ends:\n" + string.Join('\n', tail);
        string where = _host.IsLocal ? $"(pid {_process.Id})" : $"on {_host.Name}";
        return $"the daemon {where} {how} {doing}; {stderr}";
    }

    /// <summary>
    /// Ends the daemon at once here; on a lab host, asks its tether to SIGTERM it and waits for that (a bench that
    /// fails must not leave a daemon draining behind it), killing ssh's whole tree only if it does not come.
    /// </summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            if (!_host.IsLocal)
            {
                _host.Terminate(_process);
                if (!_process.WaitForExit(RemoteEndLimit))
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
            else
            {
                _process.Kill(); // the daemon alone: its children must see it go, as they would a crash
            }
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    /// <summary>Longer than the tether's own wait between its SIGTERM and its kill.</summary>
    private static readonly TimeSpan RemoteEndLimit = TimeSpan.FromSeconds(40);
}

/// <summary>The daemon has gone: the message says how, where, and what it last wrote.</summary>
public sealed class DaemonGoneException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
