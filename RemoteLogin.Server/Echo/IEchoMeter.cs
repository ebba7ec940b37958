namespace RemoteLogin.Server.Echo;

/// <summary>
/// Where an echo says what it did, one event a method; the meter turns each event into bytes, calls and copies, so no
/// strategy counts a copy or a call by hand. Moving bytes and copying them are apart: splice(2) moves bytes without a
/// copy, and a peek copies them without moving them.
/// </summary>
internal interface IEchoMeter
{
    /// <summary>One receive system call brought <paramref name="bytes"/> of the client's in, into this process's memory.</summary>
    void Received(int bytes);

    /// <summary>One send system call put <paramref name="bytes"/> back on the wire, out of this process's memory.</summary>
    void Echoed(int bytes);

    /// <summary>One splice(2) brought <paramref name="bytes"/> in from the socket; they stayed in the kernel.</summary>
    void SplicedIn(int bytes);

    /// <summary>One splice(2) put <paramref name="bytes"/> back on the wire straight from the kernel.</summary>
    void SplicedOut(int bytes);

    /// <summary>A peek copied <paramref name="bytes"/> in for inspection only: the same bytes come in again, by splice or for real.</summary>
    void Peeked(int bytes);

    /// <summary>A rewritten echo of <paramref name="bytes"/> was written from user space into a kernel pipe, for a splice to send on.</summary>
    void Piped(int bytes);

    /// <summary>The protocol wrote an echo of its own, <paramref name="bytes"/> long, from the received bytes: a copy within user space.</summary>
    void Rewritten(int bytes);

    /// <summary>A rewritten echo of <paramref name="bytes"/> was copied once more, into the buffer the sender drains.</summary>
    void Recopied(int bytes);

    /// <summary>The relay sent <paramref name="bytes"/> of the client's on to its child: a copy out of this process, not an echo.</summary>
    void PassedOn(int bytes);

    /// <summary>The relay received <paramref name="bytes"/> of echo back from its child: a copy into this process, not a client's byte.</summary>
    void PassedBack(int bytes);
}
