using System.Diagnostics;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Support;

/// <summary>Runs one of the RemoteLogin programs to completion as a real child process.</summary>
public static class ChildProgram
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static async Task<Outcome> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(SiblingProgram.StartInfo(program, arguments))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish");
        }
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
