using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Steps lanes as async loops that never block a thread. A receive that may wait for data without a buffer
/// (<see cref="SocketStep.WaitForData"/>) first waits with a zero-byte receive, as Kestrel does: a session waiting for
/// its next keystroke holds no buffer, at the price of one peek per wake-up.
/// </summary>
public static class AsyncDriver
{
    // .NET has no awaitable "writable" event, so a splice into a full socket backs off, briefly at first and doubling
    // while it stays full: a peer that has stopped reading costs a few wake-ups a second, not a thousand.
    private static readonly TimeSpan FirstWritableBackoff = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestWritableBackoff = TimeSpan.FromMilliseconds(100);

    /// <param name="cancellationToken">Ends the run now, whatever is in flight.</param>
    /// <param name="stopReceiving">Ends the input: a receive waiting when it comes reads as the end of the stream, and what
    /// the peer sends after it stays in the kernel. Sends go on.</param>
    public static async ValueTask<LaneEnd> RunAsync(Socket socket, ISocketLane lane, CancellationToken cancellationToken = default, CancellationToken stopReceiving = default)
    {
        var sends = new GatheredSend();
        using var receiving = stopReceiving.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopReceiving) : null;
        var receiveCancellation = receiving?.Token ?? cancellationToken;
        var writableBackoff = FirstWritableBackoff;
        try
        {
            while (true)
            {
                var step = lane.Step();
                if (step.Need != SocketNeed.Writable)
                {
                    writableBackoff = FirstWritableBackoff;
                }
                switch (step.Need)
                {
                    case SocketNeed.Receive:
                        int received;
                        try
                        {
                            if (step.WaitForData)
                            {
                                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, receiveCancellation);
                            }
                            received = await socket.ReceiveAsync(lane.ReceiveBuffer(), SocketFlags.None, receiveCancellation);
                        }
                        catch (OperationCanceledException) when (stopReceiving.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            received = 0; // a cancelled receive took nothing from the kernel
                        }
                        lane.Received(received);
                        break;
                    case SocketNeed.Send:
                        lane.Sent(await sends.SendAsync(socket, step.Bytes, cancellationToken));
                        break;
                    case SocketNeed.Readable:
                        try
                        {
                            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, receiveCancellation);
                        }
                        catch (OperationCanceledException) when (stopReceiving.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                        {
                            // A lane that receives by itself sees the end of its input at its next step.
                        }
                        break;
                    case SocketNeed.Writable:
                        await Task.Delay(writableBackoff, cancellationToken);
                        writableBackoff = TimeSpan.FromTicks(Math.Min(2 * writableBackoff.Ticks, LongestWritableBackoff.Ticks));
                        break;
                    case SocketNeed.Wait:
                        await step.Pending;
                        break;
                    case SocketNeed.End:
                        return step.End;
                }
            }
        }
        catch (Exception e)
        {
            lane.Abandon(e);
            return LaneEnd.From(e);
        }
        finally
        {
            sends.Dispose(); // one run per lane: its send arguments are done with
        }
    }

    /// <summary>Run two lanes of one session side by side.</summary>
    public static async ValueTask<(LaneEnd First, LaneEnd Second)> RunAsync(Socket socket, ISocketLane first, ISocketLane second, CancellationToken cancellationToken = default, CancellationToken stopReceiving = default)
    {
        var secondRun = RunAsync(socket, second, cancellationToken, stopReceiving).AsTask();
        var firstEnd = await RunAsync(socket, first, cancellationToken, stopReceiving);
        return (firstEnd, await secondRun);
    }
}
