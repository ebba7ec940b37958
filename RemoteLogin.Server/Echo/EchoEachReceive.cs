using System.Buffers;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// The lane of the strategies that alternate: receive, ask the protocol for the echo, send it all, and only then receive
/// again. The strategies differ only in the buffer a receive goes into (<see cref="Take"/>), which goes back once its
/// echo is out (<see cref="Release"/>).
/// </summary>
internal abstract class EchoEachReceive(FramedEcho framing, IEchoMeter meter) : ISocketLane
{
    private Memory<byte> _buffer;
    private bool _holding;
    private int _received;
    private ReadOnlySequence<byte> _unsent;
    private bool _ended;

    /// <summary>Whether the buffer is worth not holding while the client is silent: a driver then waits for data before <see cref="Take"/>.</summary>
    protected abstract bool WaitsForData { get; }

    public SocketStep Step()
    {
        if (!_unsent.IsEmpty)
        {
            return SocketStep.Send(_unsent);
        }
        ReleaseHeld();
        if (!_ended && framing.Refusal is null && !framing.ReadsMore)
        {
            EndOfInput(); // drained: what the framing holds still goes back, as at the client's own end
            return Step();
        }
        return _ended || framing.Refusal is not null ? SocketStep.Ended(LaneEnd.Completed) : SocketStep.Receive(WaitsForData);
    }

    public Memory<byte> ReceiveBuffer()
    {
        _buffer = Take();
        _holding = true;
        return _buffer;
    }

    public void Received(int bytes)
    {
        _received = bytes;
        if (bytes == 0)
        {
            EndOfInput();
            return;
        }
        meter.Received(bytes);
        // A broken read has no echo; the framing keeps the refusal and the next step ends the lane.
        _unsent = framing.TryEcho(_buffer[..bytes], out var echo) ? new ReadOnlySequence<byte>(echo) : default;
    }

    public void Sent(int bytes)
    {
        meter.Echoed(bytes);
        _unsent = _unsent.Slice(bytes);
    }

    public void Abandon(Exception error)
    {
        _unsent = default;
        ReleaseHeld();
    }

    /// <summary>The buffer for the next receive.</summary>
    protected abstract Memory<byte> Take();

    /// <summary>The echo of <paramref name="buffer"/> is out (or will never be): the buffer, which got <paramref name="received"/> bytes, is free.</summary>
    protected virtual void Release(Memory<byte> buffer, int received)
    {
    }

    private void EndOfInput()
    {
        _ended = true;
        _unsent = new ReadOnlySequence<byte>(framing.Final());
    }

    private void ReleaseHeld()
    {
        if (_holding)
        {
            _holding = false;
            Release(_buffer, _received);
        }
    }
}
