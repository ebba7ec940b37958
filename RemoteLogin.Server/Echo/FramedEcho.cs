using System.Buffers;
using RemoteLogin.Server.Protocols;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// What a strategy asks the session's protocol after each receive: what goes back for these bytes? On the fast path
/// the answer is the received bytes themselves, no copy; otherwise it is the rewritten echo, valid until the next
/// question. A client that breaks the protocol is a result, kept here: the session ends with <see cref="Refusal"/>.
/// </summary>
/// <param name="meter">Where a rewritten echo is counted: the protocol wrote it from the received bytes, a copy in user space.</param>
internal sealed class FramedEcho(IEchoFraming framing, IEchoMeter meter)
{
    private readonly ArrayBufferWriter<byte> _written = new(framing.InspectsData ? 256 : 1);
    private volatile bool _stopped;

    /// <summary>Whether received bytes need looking at; when not, <see cref="TryEcho"/> answers without a look.</summary>
    public bool InspectsData => framing.InspectsData;

    /// <summary>How the client broke the protocol, once it has: nothing more of its is echoed.</summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// The session drains: what was received is still echoed, nothing more is read. A flag the lanes check at each
    /// step, because TCP has no way to stop a typing peer: shutdown(SHUT_RD) on Linux still queues what arrives.
    /// </summary>
    public void StopReading() => _stopped = true;

    /// <summary>Whether a lane may read more: the client has not broken the protocol and the session does not drain.</summary>
    public bool ReadsMore => !_stopped && Refusal is null;

    /// <summary>The meter this session counts through, for what its strategy does with the rewritten echo.</summary>
    public IEchoMeter Meter => meter;

    /// <summary>The echo of <paramref name="received"/>: those very bytes, or the rewritten ones; false once the client broke the protocol.</summary>
    public bool TryEcho(ReadOnlyMemory<byte> received, out ReadOnlyMemory<byte> echo)
    {
        if (!framing.InspectsData)
        {
            echo = received;
            return true;
        }
        var framed = Frame(received.Span);
        echo = framed == FramedAs.Received ? received : _written.WrittenMemory;
        return framed != FramedAs.Broken;
    }

    /// <summary>Frame <paramref name="received"/>; when the answer is <see cref="FramedAs.Written"/>, the echo is <see cref="Written"/>.</summary>
    public FramedAs Frame(ReadOnlySpan<byte> received)
    {
        if (Refusal is not null)
        {
            return FramedAs.Broken;
        }
        _written.ResetWrittenCount();
        var framed = framing.Frame(received, _written);
        meter.Rewritten(_written.WrittenCount);
        if (framed.As == FramedAs.Broken)
        {
            Refusal = framed.Error ?? "the client broke the protocol";
        }
        return framed.As;
    }

    public ReadOnlyMemory<byte> Written => _written.WrittenMemory;

    /// <summary>The client has stopped sending: the echo of what the framing still holds, often nothing.</summary>
    public ReadOnlyMemory<byte> Final()
    {
        _written.ResetWrittenCount();
        framing.Finish(_written);
        meter.Rewritten(_written.WrittenCount);
        return _written.WrittenMemory;
    }
}
