using System.Buffers;
using System.Net.Sockets;

namespace RemoteLogin.Sockets;

/// <summary>What a lane needs its driver to do next (<see cref="SocketStep.Need"/>).</summary>
public enum SocketNeed : byte
{
    /// <summary>The lane did something itself (a splice) and wants stepping again at once.</summary>
    Again,
    /// <summary>Wait until the socket has data; the lane then reads it itself.</summary>
    Readable,
    /// <summary>Receive into <see cref="ISocketLane.ReceiveBuffer"/>, then report with <see cref="ISocketLane.Received"/>.</summary>
    Receive,
    /// <summary>Send <see cref="SocketStep.Bytes"/>, then report how much went with <see cref="ISocketLane.Sent"/>.</summary>
    Send,
    /// <summary>Wait until the socket can take more; the lane then sends itself.</summary>
    Writable,
    /// <summary>Nothing to do until <see cref="SocketStep.Pending"/> completes: the session's other lane has to move first.</summary>
    Wait,
    /// <summary>The lane is over, and holds nothing any more: <see cref="SocketStep.End"/> says how.</summary>
    End,
}

/// <summary>
/// One step of a lane, as a proactor's request: the lane says what it needs, the driver does it its own way (a
/// blocking call, an awaited one, an io_uring submission, a copy out of a multiplexed frame) and reports back.
/// </summary>
public readonly struct SocketStep
{
    private SocketStep(SocketNeed need, in ReadOnlySequence<byte> bytes = default, bool waitForData = false, ValueTask pending = default, LaneEnd end = default)
    {
        Need = need;
        Bytes = bytes;
        WaitForData = waitForData;
        Pending = pending;
        End = end;
    }

    public static SocketStep Again => new(SocketNeed.Again);

    public static SocketStep Readable => new(SocketNeed.Readable);

    public static SocketStep Writable => new(SocketNeed.Writable);

    public SocketNeed Need { get; }

    /// <summary>What to send, for <see cref="SocketNeed.Send"/>: one segment or several, to go with one call.</summary>
    public ReadOnlySequence<byte> Bytes { get; }

    /// <summary>
    /// For <see cref="SocketNeed.Receive"/>: the buffer is rented when asked for, so a driver that can wait without one
    /// (an async zero-byte receive) should wait for data first; a session waiting for its next keystroke then holds none.
    /// </summary>
    public bool WaitForData { get; }

    /// <summary>For <see cref="SocketNeed.Wait"/>: completes when the lane can move again.</summary>
    public ValueTask Pending { get; }

    public LaneEnd End { get; }

    public static SocketStep Receive(bool waitForData) => new(SocketNeed.Receive, waitForData: waitForData);

    public static SocketStep Send(in ReadOnlySequence<byte> bytes) => new(SocketNeed.Send, bytes);

    public static SocketStep Send(ReadOnlyMemory<byte> bytes) => new(SocketNeed.Send, new ReadOnlySequence<byte>(bytes));

    public static SocketStep Wait(ValueTask pending) => new(SocketNeed.Wait, pending: pending);

    public static SocketStep Ended(LaneEnd end) => new(SocketNeed.End, end: end);
}

public enum LaneEndKind : byte
{
    /// <summary>The peer stopped sending (or the pipe's other end stopped) and everything went where it had to.</summary>
    Completed,
    /// <summary>The connection went away under the lane (a reset, an abort, a closed socket).</summary>
    Lost,
    /// <summary>Anything else: a bug, with the whole story as the reason.</summary>
    Failed,
}

/// <summary>How a lane ended: a result, carried to whoever runs the session; exceptions stop at the driver.</summary>
public readonly record struct LaneEnd(LaneEndKind Kind, string? Reason = null)
{
    public static LaneEnd Completed => default;

    public static LaneEnd Lost(string reason) => new(LaneEndKind.Lost, reason);

    /// <summary>At the driver, where a socket call or a lane threw: what it means for the lane.</summary>
    public static LaneEnd From(Exception error) => error is SocketException or OperationCanceledException or IOException or ObjectDisposedException
        ? new(LaneEndKind.Lost, error.Message)
        : new(LaneEndKind.Failed, error.ToString());

    /// <summary>Of two lanes of one session, the end that says more: a failure over a loss over a completion.</summary>
    public static LaneEnd Worse(LaneEnd a, LaneEnd b) => b.Kind > a.Kind ? b : a;
}
