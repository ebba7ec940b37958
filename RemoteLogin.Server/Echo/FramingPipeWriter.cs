using System.Buffers;
using System.IO.Pipelines;
using RemoteLogin.Server.Protocols;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The pipelined echo's pipe as its receiver sees it: each received block is framed as it is committed. On the fast
/// path the block stays where the socket put it; otherwise the rewritten echo takes its place. A client that breaks
/// the protocol stops the receiving: the pipe completes cleanly, so the sender still sends every echo before it, and
/// the framing's <see cref="FramedEcho.Refusal"/> says why the session ends.
/// </summary>
internal sealed class FramingPipeWriter(PipeWriter inner, FramedEcho framing) : PipeWriter
{
    private Memory<byte> _lent;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (!framing.InspectsData)
        {
            inner.Advance(bytes);
            return;
        }
        switch (framing.Frame(_lent.Span[..bytes]))
        {
            case FramedAs.Received:
                inner.Advance(bytes);
                break;
            case FramedAs.Written:
                inner.Write(framing.Written.Span); // over the received bytes, which were never committed
                framing.Meter.Recopied(framing.Written.Length);
                break;
            default:
                inner.Advance(0); // a broken read has no echo
                break;
        }
    }

    /// <summary>A completed flush tells the receiver to read no more: once the client broke the protocol (nothing of it goes on), or once the session drains (what it read still does).</summary>
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (framing.Refusal is not null)
        {
            return ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: true));
        }
        var flush = inner.FlushAsync(cancellationToken);
        return framing.ReadsMore ? flush : LastAsync(flush);
    }

    private static async ValueTask<FlushResult> LastAsync(ValueTask<FlushResult> flush) => new((await flush).IsCanceled, isCompleted: true);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (exception is null && framing.Refusal is null)
        {
            var final = framing.Final().Span;
            inner.Write(final);
            framing.Meter.Recopied(final.Length);
        }
        inner.Complete(exception);
    }
}
