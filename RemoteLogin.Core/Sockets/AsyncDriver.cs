using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Steps lanes as async loops that never block a thread. A receive that may wait for data without a buffer
/// (<see cref="SocketStep.WaitForData"/>) first waits with a zero-byte receive, as Kestrel does: a session waiting for
/// its next keystroke holds no buffer, at the price of one peek per wake-up.
/// </summary>
public static class AsyncDriver
{
    // .NET has no awaitable "writable" event, so a splice into a full socket backs off briefly; the bytes wait in the kernel.
    private static readonly TimeSpan WritableBackoff = TimeSpan.FromMilliseconds(1);

    public static async ValueTask<LaneEnd> RunAsync(Socket socket, ISocketLane lane, CancellationToken cancellationToken = default)
    {
        var sends = new GatheredSend();
        try
        {
            while (true)
            {
                var step = lane.Step();
                switch (step.Need)
                {
                    case SocketNeed.Receive:
                        if (step.WaitForData)
                        {
                            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                        }
                        lane.Received(await socket.ReceiveAsync(lane.ReceiveBuffer(), SocketFlags.None, cancellationToken));
                        break;
                    case SocketNeed.Send:
                        lane.Sent(await sends.SendAsync(socket, step.Bytes, cancellationToken));
                        break;
                    case SocketNeed.Readable:
                        await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                        break;
                    case SocketNeed.Writable:
                        await Task.Delay(WritableBackoff, cancellationToken);
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
    public static async ValueTask<(LaneEnd First, LaneEnd Second)> RunAsync(Socket socket, ISocketLane first, ISocketLane second, CancellationToken cancellationToken = default)
    {
        var secondRun = RunAsync(socket, second, cancellationToken).AsTask();
        var firstEnd = await RunAsync(socket, first, cancellationToken);
        return (firstEnd, await secondRun);
    }
}
