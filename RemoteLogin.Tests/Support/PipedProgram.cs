using System.Diagnostics;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Support;

/// <summary>Runs one of the RemoteLogin programs as a real child process with bytes piped to its stdin, and its stdout kept as bytes.</summary>
public static class PipedProgram
{
    public sealed record Outcome(int ExitCode, byte[] StandardOutput, string StandardError);

    public static Task<Outcome> RunAsync(string program, byte[] standardInput, params string[] arguments) =>
        RunAsync(program, stdin => stdin.WriteAsync(standardInput).AsTask(), arguments);

    /// <summary><paramref name="writeInput"/> writes the program's stdin, which is closed when it completes.</summary>
    public static async Task<Outcome> RunAsync(string program, Func<Stream, Task> writeInput, params string[] arguments)
    {
        using var process = Process.Start(SiblingProgram.StartInfo(program, arguments))!;
        var stdout = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            try
            {
                await writeInput(process.StandardInput.BaseStream).WaitAsync(limit.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program exited before reading everything; its exit code and stderr say why.
            }
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish");
        }
        await reading;
        return new Outcome(process.ExitCode, stdout.ToArray(), await stderr);
    }
}
