using RemoteLogin.Bench.Matrix;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Sessions;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.Support;

/// <summary>A daemon process's events, read back from its stderr by the daemon's own <see cref="DaemonLog"/>: tests assert events, not wording.</summary>
internal static class LoggedEvents
{
    /// <summary>What an exited daemon (and its children, which share its stderr) logged; a line that is no event fails the test.</summary>
    public static IReadOnlyList<DaemonEvent> Of(DaemonProcess daemon, ITestOutputHelper output)
    {
        string stderr = daemon.StandardErrorAfterExit();
        output.WriteLine(stderr);
        var log = DaemonLog.Parse(stderr);
        Assert.True(log.Unrecognized.Count == 0, $"the daemon wrote lines that are no event of its own:\n{string.Join('\n', log.Unrecognized)}");
        return log.Events;
    }

    /// <summary>No session failed (a bug's stack trace) and no accept failed.</summary>
    public static void AssertNoneFailed(IReadOnlyList<DaemonEvent> events) =>
        Assert.DoesNotContain(events, e => e is AcceptFailed or SessionEnded { End.Echo.Kind: EchoEndKind.Failed });
}
