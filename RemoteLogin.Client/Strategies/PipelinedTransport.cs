using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Measurement;
using RemoteLogin.Sockets;

namespace RemoteLogin.Client.Strategies;

/// <summary>
/// System.IO.Pipelines both ways: typing writes into the send pipe and never waits for echoes (up to the window);
/// a sender drains the pipe into the socket, so everything flushed meanwhile goes out in one send; a receiver
/// fills the receive pipe and a separate reader matches the echoes.
/// </summary>
internal sealed class PipelinedTransport : ClientTransport
{
    // The outgoing pipe never holds more than the window; the incoming one must not pause the receiver after every block of a paste.
    private readonly Pipe _outgoing = new(StreamPipe.Options(PipeScheduler.ThreadPool));
    private readonly Pipe _incoming = new(StreamPipe.Options(PipeScheduler.ThreadPool));
    private readonly Task _sending;
    private readonly Task _receiving;
    private readonly Task _matching;

    public PipelinedTransport(Socket socket, EchoWindow window, TransportSettings settings)
        : base(socket, window, settings)
    {
        _sending = Task.Run(() => new SocketSender(socket, _outgoing.Reader, CopyTally.ThisClient.OutOfUser).RunAsync());
        _receiving = Task.Run(() => new SocketReceiver(socket, _incoming.Writer, CopyTally.ThisClient.IntoUser).RunAsync());
        _matching = Task.Run(MatchEchoesAsync);
    }

    /// <summary>The reader always runs: it is this strategy's only way to see echoes.</summary>
    public override void StartReceiving()
    {
    }

    public override void Close()
    {
        SettleSends();
        _outgoing.Writer.Complete();
        _sending.Wait(Settings.EchoTimeout);
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The daemon is gone already; the receiver sees it too.
        }
        // The loops end by themselves, faulted or not; what they lost is already in the window's counts.
        Task.WhenAll(_receiving, _matching).ContinueWith(static _ => { }, TaskScheduler.Default).Wait(Settings.EchoTimeout);
    }

    protected override void Send(long first, int count)
    {
        long index = first;
        while (index < first + count)
        {
            var typed = Window.Contiguous(index, (int)(first + count - index));
            _outgoing.Writer.Write(typed.Span);
            CopyTally.ThisClient.WithinUser(typed.Length);
            index += typed.Length;
        }
        var flush = _outgoing.Writer.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            return;
        }
        if (SendsWithoutBlocking)
        {
            SendingInBackground(flush.AsTask()); // the pipe is full: this session waits, the typing loop does not
        }
        else
        {
            flush.AsTask().GetAwaiter().GetResult(); // the pipe is full: the typist waits, as on a full socket
        }
    }

    protected override void ReceiveUntilEchoed()
    {
        if (!Window.WaitUntilEchoed(Settings.EchoTimeout))
        {
            Window.MarkOutstandingLost();
        }
    }

    private async Task MatchEchoesAsync()
    {
        var reader = _incoming.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryRead(out var result))
                {
                    result = await reader.ReadAsync();
                }
                long arrivedAt = Stopwatch.GetTimestamp();
                foreach (var segment in result.Buffer)
                {
                    Window.Match(segment.Span, arrivedAt);
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
            Window.Settle(); // the daemon closed: nothing more will come to judge a byte still held
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // The connection broke: nothing more will be echoed.
            Window.MarkOutstandingLost();
        }
        await reader.CompleteAsync();
    }
}
