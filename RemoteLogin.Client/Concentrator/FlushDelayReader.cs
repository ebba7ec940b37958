using System.IO.Pipelines;

namespace RemoteLogin.Client.Concentrator;

/// <summary>
/// The upstream's frames, held for <c>--flush-delay</c> after the first of a batch arrives, so that whatever more the
/// terminals type meanwhile goes out in the same send: fewer packets for the host, a longer round trip for each
/// character. What arrived while the last send was under way has waited already and goes at once.
/// </summary>
internal sealed class FlushDelayReader(PipeReader frames, TimeSpan delay) : PipeReader
{
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var first = await frames.ReadAsync(cancellationToken);
        if (first.IsCompleted || first.IsCanceled)
        {
            return first;
        }
        // Nothing consumed and nothing examined: the read after the delay returns at once, with all that came meanwhile.
        frames.AdvanceTo(first.Buffer.Start);
        await Task.Delay(delay, cancellationToken);
        return await frames.ReadAsync(cancellationToken);
    }

    public override bool TryRead(out ReadResult result) => frames.TryRead(out result);

    public override void AdvanceTo(SequencePosition consumed) => frames.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => frames.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => frames.CancelPendingRead();

    public override void Complete(Exception? exception = null) => frames.Complete(exception);
}
