using System.Diagnostics;
using System.Net;
using RemoteLogin.Native;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Matrix;

/// <summary>RemoteLogin.Server as a child process on an ephemeral loopback port.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private DaemonProcess(Process process, IPEndPoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public IPEndPoint Endpoint { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Start the daemon with <paramref name="arguments"/> (without --listen) and wait for its "listening on" line.</summary>
    /// <param name="programDirectory">Where the daemon is built; beside this program unless given.</param>
    /// <param name="configure">Applied to the daemon's start info before it is launched (CPU placement).</param>
    public static DaemonProcess Start(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? programDirectory = null,
        Action<ProcessStartInfo>? configure = null)
    {
        var info = SiblingProgram.StartInfo("RemoteLogin.Server", ["--listen", "127.0.0.1:0", .. arguments], environment, directory: programDirectory);
        configure?.Invoke(info);
        var process = Process.Start(info)!;
        const string prefix = "listening on ";
        try
        {
            var firstLine = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (firstLine is null || !firstLine.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the daemon did not start: '{firstLine}'");
            }
            return new DaemonProcess(process, IPEndPoint.Parse(firstLine[prefix.Length..]));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM, then wait for the drain; returns the exit code.</summary>
    public int Stop(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Posix.Terminate(_process.Id);
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

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
