using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The echo is a pipe: a receiver writes what the socket delivers into it, a sender drains it back into the
/// socket. Receiving and sending run apart, so a burst is received while the previous one is still being sent,
/// sends coalesce whatever arrived meanwhile, and no byte is copied between the two. The protocol frames each
/// block as the receiver commits it (<see cref="FramingPipeWriter"/>). A stream moves at the wire's speed: receives
/// as large as the stream floor's reads once the client streams (<see cref="SocketReceiver.NextReceiveSize"/>), the
/// receiver free to run a megabyte ahead of the sender, and the sender putting everything that has arrived back with
/// one gathered send (<see cref="GatheredSend"/>).
/// </summary>
public sealed class PipelinedEcho : IEchoStrategy
{
    public async Task EchoAsync(Socket socket, FramedEcho framing, EchoTally tally, CancellationToken cancellationToken)
    {
        var echo = new Pipe(StreamPipe.Options(PipeScheduler.ThreadPool));
        var framed = new FramingPipeWriter(echo.Writer, framing);
        await Task.WhenAll(
            new SocketReceiver(socket, framed, tally.Received).RunAsync(cancellationToken),
            new SocketSender(socket, echo.Reader, tally.Echoed).RunAsync(cancellationToken));
        ThrowIfBroken(framed);
    }

    /// <summary>The same pipe between two blocking threads: the session's own receives, a second one sends.</summary>
    public void Echo(Socket socket, FramedEcho framing, EchoTally tally)
    {
        var echo = new Pipe(StreamPipe.Options(PipeScheduler.Inline));
        var sender = new Thread(() => Send(socket, echo.Reader, tally)) { IsBackground = true, Name = "pipelined echo sender" };
        sender.Start();
        var framed = new FramingPipeWriter(echo.Writer, framing);
        Receive(socket, framed, tally);
        sender.Join();
        ThrowIfBroken(framed);
    }

    /// <summary>A client that broke the protocol ends its session with the reason, once every echo before it went out.</summary>
    private static void ThrowIfBroken(FramingPipeWriter framed)
    {
        if (framed.Broken is { } broken)
        {
            throw broken;
        }
    }

    private static void Receive(Socket socket, PipeWriter writer, EchoTally tally)
    {
        var waiter = new BlockingWaiter();
        Exception? error = null;
        int size = SocketReceiver.MinimumReceiveSize;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(size);
                int received = socket.Receive(memory.Span);
                if (received == 0)
                {
                    break;
                }
                size = SocketReceiver.NextReceiveSize(received, memory.Length);
                writer.Advance(received);
                tally.Received(received);
                if (waiter.Wait(writer.FlushAsync()).IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = e;
        }
        writer.Complete(error);
    }

    private static void Send(Socket socket, PipeReader reader, EchoTally tally)
    {
        var waiter = new BlockingWaiter();
        var sends = new GatheredSend();
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = reader.TryRead(out var ready) ? ready : waiter.Wait(reader.ReadAsync());
                for (var buffer = result.Buffer; !buffer.IsEmpty;)
                {
                    int sent = sends.Send(socket, buffer);
                    tally.Echoed(sent);
                    buffer = buffer.Slice(sent);
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = e;
        }
        reader.Complete(error);
    }
}
