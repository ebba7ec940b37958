using System.Diagnostics;

namespace RemoteLogin.Tests.Support;

/// <summary>A program of the machine (nc, socat, ...) run to completion with bytes on its stdin, its stdout kept as bytes.</summary>
public static class StockProgram
{
    public sealed record Outcome(int ExitCode, byte[] StandardOutput, string StandardError);

    public static async Task<Outcome> RunAsync(string program, IEnumerable<string> arguments, string standardInputFile)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        using var limit = new CancellationTokenSource(Eventually.Generous);
        try
        {
            var stdout = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(stdout, limit.Token);
            var stderr = process.StandardError.ReadToEndAsync(limit.Token);
            await using (var input = File.OpenRead(standardInputFile))
            {
                await input.CopyToAsync(process.StandardInput.BaseStream, limit.Token);
            }
            process.StandardInput.Close(); // EOF on its stdin
            await process.WaitForExitAsync(limit.Token);
            await reading;
            return new Outcome(process.ExitCode, stdout.ToArray(), await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
