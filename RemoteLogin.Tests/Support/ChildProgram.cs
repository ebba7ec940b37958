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

    public static Task<Outcome> RunAsync(string program, params string[] arguments) =>
        RunAsync(SiblingProgram.StartInfo(program, arguments), TimeSpan.FromMinutes(5));

    /// <summary>Any program, started as <paramref name="start"/> says (standard streams redirected); <paramref name="limit"/> only fails one that hangs.</summary>
    public static async Task<Outcome> RunAsync(ProcessStartInfo start, TimeSpan limit)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish");
        }
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
