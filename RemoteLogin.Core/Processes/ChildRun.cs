using System.Text;

namespace RemoteLogin.Processes;

/// <summary>
/// Runs a child program to its end: its stdin fed from <see cref="ChildInput"/> and then closed, its stdout kept as
/// bytes, its stderr kept. A child that has not ended within the limit (its output included: a grandchild may hold
/// the pipe) is killed with its tree, and the outcome says so.
/// </summary>
public static class ChildRun
{
    /// <summary>Generous: it only ends a child that hangs, it is never a claim about how fast one runs.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromMinutes(5);

    /// <summary>A sibling RemoteLogin program with nothing on its stdin.</summary>
    public static Task<ChildOutcome> RunAsync(string siblingProgram, params string[] arguments) =>
        RunAsync(ChildStart.Sibling(siblingProgram, arguments));

    public static async Task<ChildOutcome> RunAsync(ChildStart start, ChildInput? input = null, TimeSpan? limit = null)
    {
        var within = limit ?? DefaultLimit;
        using var child = ChildProcess.Start(start);
        using var deadline = new CancellationTokenSource(within);
        var stdout = new MemoryStream();
        var reading = child.Output.BaseStream.CopyToAsync(stdout, deadline.Token);
        bool hung = false;
        try
        {
            try
            {
                // WaitAsync: a write into a full pipe of a child that does not read is not cancelled by the token alone.
                await (input ?? ChildInput.None).WriteAsync(child.Input.BaseStream, deadline.Token).WaitAsync(deadline.Token);
                child.Input.Close();
            }
            catch (IOException)
            {
                // The child stopped reading and exited, or closed its stdin: its exit code and stderr say why.
            }
            await child.WaitForExitAsync(deadline.Token);
            await reading;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            hung = true;
            child.Kill();
            await child.WaitForExitAsync(CancellationToken.None);
        }
        return new ChildOutcome(child.Description, child.ExitCode, stdout.ToArray(), child.StandardError, hung ? within : null);
    }

    /// <inheritdoc cref="RunAsync(ChildStart, ChildInput?, TimeSpan?)"/>
    public static ChildOutcome Run(ChildStart start, ChildInput? input = null, TimeSpan? limit = null) =>
        RunAsync(start, input, limit).GetAwaiter().GetResult();
}

/// <summary>What a run to its end writes on the child's stdin before closing it.</summary>
public sealed class ChildInput
{
    private readonly Func<Stream, CancellationToken, Task> _write;

    private ChildInput(Func<Stream, CancellationToken, Task> write) => _write = write;

    /// <summary>Nothing: the child sees the end of its input at once.</summary>
    public static readonly ChildInput None = new((_, _) => Task.CompletedTask);

    public static ChildInput Bytes(ReadOnlyMemory<byte> bytes) => new((stdin, cancel) => stdin.WriteAsync(bytes, cancel).AsTask());

    /// <summary>The file's bytes, streamed.</summary>
    public static ChildInput File(string path) => new(async (stdin, cancel) =>
    {
        await using var file = System.IO.File.OpenRead(path);
        await file.CopyToAsync(stdin, cancel);
    });

    /// <summary>Whatever <paramref name="write"/> writes (a typist pausing between keys); stdin is closed when it completes.</summary>
    public static ChildInput Stream(Func<Stream, Task> write) => new((stdin, _) => write(stdin));

    internal Task WriteAsync(Stream stdin, CancellationToken cancel) => _write(stdin, cancel);
}

/// <summary>How a child run to its end ended: its exit code, its stdout and its stderr, or that it hung and was killed.</summary>
public sealed class ChildOutcome(string description, int exitCode, byte[] output, string standardError, TimeSpan? killedAfter)
{
    public string Description => description;

    /// <summary>Its stdout, byte for byte.</summary>
    public byte[] Output => output;

    /// <summary>Its stdout as UTF-8 text.</summary>
    public string StandardOutput => Encoding.UTF8.GetString(output);

    public string StandardError => standardError;

    public string[] ErrorLines => standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The limit it outlived, when it hung and was killed at it; null when it ended by itself.</summary>
    public TimeSpan? KilledAfter => killedAfter;

    public bool Hung => killedAfter is not null;

    /// <summary>
    /// The code it exited with. A child killed at the limit has none of its own (the kill's would pass for one), so
    /// asking for it throws <see cref="TimeoutException"/> saying so, with its stderr tail: a caller that checks the
    /// exit code first fails with why.
    /// </summary>
    public int ExitCode => Hung ? throw new TimeoutException(Failure) : exitCode;

    public bool Succeeded => !Hung && exitCode == 0;

    /// <summary>"{description} exited with N" or "... did not finish within L and was killed", then its stderr tail.</summary>
    public string Failure => StderrTail.Message(
        description,
        killedAfter is { } limit ? $"did not finish within {limit.TotalSeconds:0.#} s and was killed" : $"exited with {exitCode}",
        standardError);

    /// <summary>This outcome if the child exited with 0; otherwise <see cref="InvalidOperationException"/> with <see cref="Failure"/>.</summary>
    public ChildOutcome ThrowIfFailed() => Succeeded ? this : throw new InvalidOperationException(Failure);
}
