using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The pipelined echo's pipe as its receiver sees it: each received block is framed as it is committed. On the fast
/// path the block stays where the socket put it; otherwise the rewritten echo takes its place. A client that breaks
/// the protocol stops the receiving: the pipe completes cleanly, so the sender still sends every echo before it, and
/// <see cref="Broken"/> says why the session ends.
/// </summary>
public sealed class FramingPipeWriter(PipeWriter inner, FramedEcho framing) : PipeWriter
{
    private Memory<byte> _lent;
    private ProtocolViolationException? _broken;

    /// <summary>How the client broke the protocol, if it did; the strategy raises it once the echo before it is out.</summary>
    public ProtocolViolationException? Broken => _broken;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (_broken is not null || !framing.InspectsData)
        {
            inner.Advance(_broken is null ? bytes : 0);
            return;
        }
        try
        {
            if (framing.Frame(_lent.Span[..bytes]) == Protocols.FramedAs.Received)
            {
                inner.Advance(bytes);
            }
            else
            {
                inner.Write(framing.Written.Span); // over the received bytes, which were never committed
                framing.Copies.WithinUser(framing.Written.Length);
            }
        }
        catch (ProtocolViolationException e)
        {
            _broken = e;
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
        _broken is null ? inner.FlushAsync(cancellationToken) : ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: true));

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (exception is null && _broken is null)
        {
            var final = framing.Final().Span;
            inner.Write(final);
            framing.Copies.WithinUser(final.Length);
        }
        inner.Complete(exception);
    }
}
