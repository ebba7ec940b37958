using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// A real third-party echo server: socat on an ephemeral loopback port, echoing one connection through cat. Its
/// port is read from its own log ("listening on AF=2 127.0.0.1:PORT", with -d -d).
/// </summary>
internal sealed partial class SocatEcho : IDisposable
{
    private readonly Process _process;

    private SocatEcho(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SocatEcho> StartAsync()
    {
        // -t 30: after the client's end of file, wait (up to 30 s) for cat to echo everything before closing.
        var info = new ProcessStartInfo("socat")
        {
            ArgumentList = { "-d", "-d", "-t", "30", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr", "EXEC:cat" },
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        using var limit = new CancellationTokenSource(EchoClient.SafetyLimit);
        try
        {
            while (await process.StandardError.ReadLineAsync(limit.Token) is { } line)
            {
                var listening = ListeningLine().Match(line);
                if (listening.Success)
                {
                    var echo = new SocatEcho(process, int.Parse(listening.Groups[1].Value));
                    _ = process.StandardError.ReadToEndAsync(); // keep its log from filling the pipe
                    return echo;
                }
            }
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
        process.Dispose();
        throw new InvalidOperationException("socat exited without saying where it listens (is it installed?)");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on .*:(\d+)\s*$")]
    private static partial Regex ListeningLine();
}
