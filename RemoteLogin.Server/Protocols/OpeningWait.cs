using System.Net.Sockets;

namespace RemoteLogin.Server.Protocols;

/// <summary>
/// How an opening waits for its client: poll(2) and a short, growing pause, never .NET's async receive. An async
/// receive would register the descriptor with .NET's epoll and make it non-blocking for good, and both belong to the
/// open file, which outlives the opening: the thread model would then block through epoll instead of in recv, and the
/// daemon's epoll thread would wake for every byte a process child receives. An opening is short, and a client that
/// has not sent its handshake yet loses at most one pause (16 ms at the longest).
/// </summary>
internal static class OpeningWait
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(16);

    public static async ValueTask UntilReadableAsync(Socket connection, CancellationToken deadline)
    {
        var pause = FirstPause;
        while (!connection.Poll(TimeSpan.Zero, SelectMode.SelectRead))
        {
            // Forced onto the pool: a drain or an abort cancels the deadline from StopAsync's own thread, and the rest
            // of the opening (a refusal, say) must not run inline there, holding up every other session's drain.
            await Task.Delay(pause, deadline).ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);
            deadline.ThrowIfCancellationRequested();
            pause = pause < LongestPause ? pause * 2 : LongestPause;
        }
    }
}
