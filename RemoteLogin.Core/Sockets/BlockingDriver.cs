using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>
/// Steps lanes on threads of their own that block in every socket call: a receive blocks until data, a send until
/// the kernel took it. A second lane gets a second thread. The socket stays in blocking mode.
/// </summary>
public static class BlockingDriver
{
    /// <summary>Run <paramref name="lane"/> on the calling thread until it ends.</summary>
    public static LaneEnd Run(Socket socket, ISocketLane lane)
    {
        var waiter = new BlockingWaiter();
        using var sends = new GatheredSend();
        while (true)
        {
            SocketStep step;
            try
            {
                step = lane.Step();
                switch (step.Need)
                {
                    case SocketNeed.Receive:
                        lane.Received(socket.Receive(lane.ReceiveBuffer().Span));
                        break;
                    case SocketNeed.Send:
                        lane.Sent(sends.Send(socket, step.Bytes));
                        break;
                    case SocketNeed.Readable:
                        socket.Poll(-1, SelectMode.SelectRead);
                        break;
                    case SocketNeed.Writable:
                        socket.Poll(-1, SelectMode.SelectWrite); // this thread is the lane's own: waiting is its job
                        break;
                    case SocketNeed.Wait:
                        waiter.Wait(step.Pending);
                        break;
                    case SocketNeed.End:
                        return step.End;
                }
            }
            catch (Exception e)
            {
                lane.Abandon(e);
                return LaneEnd.From(e);
            }
        }
    }

    /// <summary>Run two lanes of one session: <paramref name="first"/> on the calling thread, <paramref name="second"/> on a thread of its own.</summary>
    public static (LaneEnd First, LaneEnd Second) Run(Socket socket, ISocketLane first, ISocketLane second, string secondThreadName)
    {
        LaneEnd secondEnd = default;
        var thread = new Thread(() => secondEnd = Run(socket, second)) { IsBackground = true, Name = secondThreadName };
        thread.Start();
        var firstEnd = Run(socket, first);
        thread.Join();
        return (firstEnd, secondEnd);
    }
}
