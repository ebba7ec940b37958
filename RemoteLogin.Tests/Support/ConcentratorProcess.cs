using System.Net;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Support;

/// <summary>A real concentrator, <c>RemoteLogin.Client concentrator</c> as a child process, in front of a host at <c>upstream</c>.</summary>
internal sealed class ConcentratorProcess : IDisposable
{
    private readonly ChildProcess _process;

    private ConcentratorProcess(ChildProcess process, IPEndPoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>Where its terminals connect.</summary>
    public IPEndPoint Endpoint { get; }

    public ChildProcess Process => _process;

    public static ConcentratorProcess Start(IPEndPoint upstream, params string[] options)
    {
        var process = ChildProcess.Start(
            ChildStart.Sibling("RemoteLogin.Client", ["concentrator", "--listen", "127.0.0.1:0", "--upstream", upstream.ToString(), .. options]),
            askToEnd: child => child.Terminate(),
            endGrace: Eventually.Generous);
        try
        {
            string line = process.FirstLine(Eventually.Generous);
            const string Prefix = "listening on ";
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw process.Failed($"said '{line}' first");
            }
            return new ConcentratorProcess(process, IPEndPoint.Parse(line[Prefix.Length..]));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Its exit code, once it has exited of its own accord or on SIGTERM, within a generous limit.</summary>
    public async Task<int> ExitedAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Eventually.Generous);
        return _process.ExitCode;
    }

    public void Dispose() => _process.Dispose();
}
