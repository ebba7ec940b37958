using System.Buffers;
using System.Net;
using RemoteLogin.Measurement;
using RemoteLogin.Server.Protocols;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// What a strategy asks the session's protocol after each receive: what goes back for these bytes? On the fast path
/// the answer is the received bytes themselves, no copy; otherwise it is the rewritten echo, valid until the next question.
/// </summary>
/// <param name="copies">Where a rewritten echo is counted: the protocol wrote it from the received bytes, a copy in user space.</param>
public sealed class FramedEcho(IEchoFraming framing, CopyTally copies)
{
    private readonly ArrayBufferWriter<byte> _written = new(framing.InspectsData ? 256 : 1);

    /// <summary>Whether received bytes need looking at; when not, <see cref="Of"/> answers without a look.</summary>
    public bool InspectsData => framing.InspectsData;

    /// <summary>Where whoever copies the rewritten echo again counts it.</summary>
    public CopyTally Copies => copies;

    /// <summary>The echo of <paramref name="received"/>: those very bytes, or the rewritten ones.</summary>
    public ReadOnlyMemory<byte> Of(ReadOnlyMemory<byte> received) =>
        !framing.InspectsData || Frame(received.Span) == FramedAs.Received ? received : _written.WrittenMemory;

    /// <summary>
    /// Frame <paramref name="received"/>; when the answer is <see cref="FramedAs.Written"/>, the echo is
    /// <see cref="Written"/>. A client that broke the protocol ends its session with the framing's reason.
    /// </summary>
    public FramedAs Frame(ReadOnlySpan<byte> received)
    {
        _written.ResetWrittenCount();
        var framed = framing.Frame(received, _written);
        copies.WithinUser(_written.WrittenCount);
        return framed.As == FramedAs.Broken ? throw new ProtocolViolationException(framed.Error) : framed.As;
    }

    public ReadOnlyMemory<byte> Written => _written.WrittenMemory;

    /// <summary>The client has stopped sending: the echo of what the framing still holds, often nothing.</summary>
    public ReadOnlyMemory<byte> Final()
    {
        _written.ResetWrittenCount();
        framing.Finish(_written);
        copies.WithinUser(_written.WrittenCount);
        return _written.WrittenMemory;
    }
}
