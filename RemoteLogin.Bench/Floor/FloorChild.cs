using System.ComponentModel;
using System.Diagnostics;
using RemoteLogin.Bench.Hosts;

namespace RemoteLogin.Bench.Floor;

/// <summary>
/// One <c>RemoteLogin.Bench floor</c> process (both halves, or one of them) started through a host, here or on a lab
/// host: its stderr read from the start so a failure can quote it, every failure told as "{description} exited with N:
/// stderr tail" (the description names the floor, the half and the host), and never left running once disposed.
/// </summary>
internal sealed class FloorChild : IDisposable
{
    private const int StderrTailLines = 10;

    /// <summary>How long an ended or asked-to-end child gets to finish before it is killed, or its last words are read.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly IProgramHost _host;
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private FloorChild(IProgramHost host, Process process, string description)
    {
        _host = host;
        _process = process;
        Description = description;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>"the blocking floor", or "the blocking floor's echo on HOST".</summary>
    public string Description { get; }

    /// <remarks>Its standard input stays open until disposed: on a lab host, closing it is what ends the program.</remarks>
    public static FloorChild Start(IProgramHost host, string description, IEnumerable<string> arguments) =>
        new(host, Process.Start(host.StartInfo("RemoteLogin.Bench", arguments))!, description);

    /// <summary>The first line of its stdout; throws when it ends its output first or prints nothing in time.</summary>
    public string FirstLine(TimeSpan limit)
    {
        string? line;
        try
        {
            line = _process.StandardOutput.ReadLineAsync().WaitAsync(limit).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Description} printed nothing within {limit.TotalSeconds:0} s");
        }
        return line ?? throw Failed("ended its output before its first line");
    }

    /// <summary>Wait for it to exit with 0 and return the rest of its stdout; throws naming it otherwise.</summary>
    public string Finish(TimeSpan limit)
    {
        var stdout = _process.StandardOutput.ReadToEndAsync();
        if (!_process.WaitForExit(limit))
        {
            throw new TimeoutException($"{Description} did not finish within {limit.TotalMinutes:0.#} minutes");
        }
        if (_process.ExitCode != 0)
        {
            throw Failed(null);
        }
        // Exited: its end of the pipe is closed, unless something it started still holds it.
        return stdout.Wait(Grace) ? stdout.Result : throw Failed("exited but its output stayed open");
    }

    private InvalidOperationException Failed(string? how)
    {
        if (how is null || _process.WaitForExit(Grace))
        {
            how = $"exited with {_process.ExitCode}";
        }
        var tail = (_stderr.Wait(Grace) ? _stderr.Result : "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .TakeLast(StderrTailLines)
            .ToArray();
        return new InvalidOperationException($"{Description} {how}: {(tail.Length == 0 ? "nothing on stderr" : string.Join('\n', tail))}");
    }

    /// <summary>Still running (a failure elsewhere, or a timeout): asked to end as the host ends programs, then killed.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                _host.Terminate(_process);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or Win32Exception)
            {
                // It exited between the check and the signal, or its stdin is already gone: the wait below settles it.
            }
            if (!_process.WaitForExit(Grace))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        _process.Dispose();
    }
}
