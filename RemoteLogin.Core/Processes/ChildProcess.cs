using System.Diagnostics;
using System.Text;
using RemoteLogin.Native;

namespace RemoteLogin.Processes;

/// <summary>
/// One running child program with its three standard streams redirected: stdin and stdout are the caller's to speak
/// over (bytes, or lines: a daemon's "listening on", a client's phase edges), stderr is kept from the start so that
/// whoever finds the child failed can quote its last words. Every wait has a limit that names the child when it runs
/// out; a child still running when disposed is killed with its whole tree, so none outlives its owner.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>How long an exited child's stderr gets to reach its end (it is read on its own, and may lag the exit).</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly ErrorRecord _stderr;
    private readonly Action<ChildProcess>? _askToEnd;
    private readonly TimeSpan _endGrace;

    private ChildProcess(Process process, string description, Action<ChildProcess>? askToEnd, TimeSpan endGrace)
    {
        _process = process;
        Description = description;
        _askToEnd = askToEnd;
        _endGrace = endGrace;
        _stderr = new ErrorRecord(process.StandardError);
    }

    /// <summary>How messages name it (<see cref="ChildStart.Description"/>).</summary>
    public string Description { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Its stdin: write lines, or its <see cref="StreamWriter.BaseStream"/> for bytes; closing it is the child's end of input.</summary>
    public StreamWriter Input => _process.StandardInput;

    /// <summary>Its stdout: lines, or its <see cref="StreamReader.BaseStream"/> for bytes.</summary>
    public StreamReader Output => _process.StandardOutput;

    /// <param name="askToEnd">
    /// How a dispose asks a child still running to end before it is killed (SIGTERM; close its stdin, which a tether on
    /// a lab host takes for one); it gets <paramref name="endGrace"/> to. Killed at once unless given.
    /// </param>
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started (not installed, not executable).</exception>
    public static ChildProcess Start(ChildStart start, Action<ChildProcess>? askToEnd = null, TimeSpan endGrace = default)
    {
        var process = Process.Start(start.ToStartInfo()) ?? throw new InvalidOperationException($"{start.Description} did not start");
        return new ChildProcess(process, start.Description, askToEnd, endGrace);
    }

    /// <summary>Its next line of stdout, or null at its end; <see cref="TimeoutException"/> naming it if none comes within <paramref name="limit"/>.</summary>
    /// <remarks>After a timeout the read is still pending and takes the next line: a line channel that timed out is done.</remarks>
    public string? ReadLine(TimeSpan limit) => ReadLineAsync(limit).GetAwaiter().GetResult();

    /// <inheritdoc cref="ReadLine"/>
    public async Task<string?> ReadLineAsync(TimeSpan limit)
    {
        try
        {
            return await Output.ReadLineAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Description} printed no line within {Seconds(limit)}");
        }
    }

    /// <summary>
    /// One exchange over a child that answers requests, a line each way (the daemon's snapshots, the companion's
    /// figures): <paramref name="request"/> written and flushed to its stdin, its reply the next line of its stdout.
    /// Null when the child has gone (its stdin or stdout closed); <see cref="TimeoutException"/> naming it when no
    /// reply comes within <paramref name="limit"/>, after which the late reply would pass for the next request's, so
    /// the caller must ask no more. One exchange at a time.
    /// </summary>
    public string? Exchange(string request, TimeSpan limit)
    {
        try
        {
            Input.WriteLine(request);
            Input.Flush();
        }
        catch (IOException)
        {
            return null; // its end of stdin closed: it is gone, which its exit code and stderr say better
        }
        return ReadLine(limit);
    }

    /// <summary>
    /// Its first line of stdout ("listening on ..."); throws naming it, with its stderr, when its output ends first:
    /// with its exit code when it has exited (a program that refuses its arguments), which says more than the end.
    /// </summary>
    public string FirstLine(TimeSpan limit) =>
        ReadLine(limit) ?? throw Failed(_process.WaitForExit(Grace) ? null : "ended its output before its first line");

    /// <summary>Wait for it to exit with 0 and return the rest of its stdout; throws naming it, with its stderr, otherwise.</summary>
    public string Finish(TimeSpan limit)
    {
        var stdout = Output.ReadToEndAsync();
        if (!_process.WaitForExit(limit))
        {
            throw new TimeoutException($"{Description} did not finish within {Seconds(limit)}");
        }
        if (_process.ExitCode != 0)
        {
            throw Failed();
        }
        // Exited: its end of the pipe is closed, unless something it started still holds it.
        return stdout.Wait(Grace) ? stdout.Result : throw Failed("exited but its output stayed open");
    }

    public bool WaitForExit(TimeSpan limit) => _process.WaitForExit(limit);

    public Task WaitForExitAsync(CancellationToken cancel = default) => _process.WaitForExitAsync(cancel);

    /// <summary>What it has written on stderr so far: all of it once it has exited (waiting a moment for the last of it).</summary>
    public string StandardError
    {
        get
        {
            if (_process.HasExited)
            {
                _stderr.Ended.Wait(Grace);
            }
            return _stderr.Text;
        }
    }

    /// <summary>
    /// The child's end told in one message with its stderr tail: "{description} {how}; stderr: ...". Unless
    /// given, <paramref name="how"/> is its exit code, once it has exited (it gets a moment to).
    /// </summary>
    public InvalidOperationException Failed(string? how = null, int tailLines = StderrTail.DefaultLines)
    {
        if (how is null)
        {
            how = _process.WaitForExit(Grace) ? $"exited with {_process.ExitCode}" : "is still running";
        }
        return new InvalidOperationException(StderrTail.Message(Description, how, StandardError, tailLines));
    }

    /// <summary>SIGTERM, as a user's kill: a daemon drains. Nothing if it has already gone.</summary>
    public void Terminate()
    {
        if (_process.HasExited)
        {
            return;
        }
        try
        {
            Posix.Terminate(_process.Id);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the signal.
        }
    }

    /// <param name="entireTree">False to kill the child alone, so that its own children see it go as they would a crash.</param>
    public void Kill(bool entireTree = true)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireTree);
        }
    }

    /// <summary>Still running: asked to end if it was started with a way to ask, then killed with its tree if it has not, and waited for.</summary>
    public void Dispose()
    {
        if (!_process.HasExited && _askToEnd is not null)
        {
            try
            {
                _askToEnd(this);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                // It exited between the check and the asking, or its stdin is already gone: the wait below settles it.
            }
            _process.WaitForExit(_endGrace);
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private static string Seconds(TimeSpan limit) => $"{limit.TotalSeconds:0.#} s";

    /// <summary>The child's stderr, read as it comes: the pipe is drained whatever the caller does, and what it said is there to quote.</summary>
    private sealed class ErrorRecord
    {
        private readonly StringBuilder _text = new();

        public ErrorRecord(StreamReader reader) => Ended = Task.Run(() => PumpAsync(reader));

        /// <summary>Done when the child's stderr has reached its end.</summary>
        public Task Ended { get; }

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        private async Task PumpAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            try
            {
                int count;
                while ((count = await reader.ReadAsync(buffer)) > 0)
                {
                    lock (_text)
                    {
                        _text.Append(buffer, 0, count);
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The process was disposed under the read: what was read is all there is.
            }
        }
    }
}
