using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// splice(2) socket → kernel pipe → same socket: under raw the echoed bytes never enter user space. A protocol that
/// must see the data (telnet, rlogin) cannot without a copy: it gets one by peek (recv MSG_PEEK, one more system call
/// per read, the bytes copied out for inspection only). On the protocol's fast path the bytes then go back by splice;
/// only a rewritten echo is taken for real and written into the pipe from user space. A session with no descriptor of
/// its own (its bytes arrive in someone else's frames) cannot splice, and echoes from the very memory it received into.
/// </summary>
internal sealed class ZeroCopyEcho : IEchoStrategy
{
    public EchoLanes Start(in EchoContext context)
    {
        if (context.Descriptor is { } socket)
        {
            try
            {
                return new(new SpliceLane(socket, context.Framing, context.Meter, context.Buffers));
            }
            catch (IOException e)
            {
                // Out of descriptors (or pipe memory): this session echoes by copying rather than not at all.
                DescriptorReserve.Release();
                context.Events.Raise(new ZeroCopyUnavailable(PeerOf(socket), e.Message));
            }
        }
        return new(new BatchedEcho.Lane(context.Framing, context.Meter, context.Buffers));
    }

    private static EndPoint? PeerOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// One session's splicing, one non-waiting step at a time; it calls the kernel itself and asks its driver only to wait.
    /// Under a blocking driver the socket blocks, so TCP blocks in splice whatever the flags say (a Unix socket, the relay
    /// model's child's, honours SPLICE_F_NONBLOCK and asks to wait); under an async one it never blocks.
    /// </summary>
    private sealed class SpliceLane : ISocketLane
    {
        private const int MaxSpliceBytes = 64 * 1024; // a default pipe's capacity
        private const int MaxPeekBytes = 16 * 1024;

        private readonly Socket _socket;
        private readonly FramedEcho _framing;
        private readonly IEchoMeter _meter;
        private readonly ArrayPool<byte> _buffers;
        private readonly Splice.KernelPipe _pipe = new();
        private readonly int _fd;
        private readonly int _peekBytes;
        private readonly int _pipeBytes;
        private long _inPipe;       // echo in the kernel pipe, still to go out
        private long _framedAhead;  // peeked bytes framed as their own echo, still to be spliced in
        private ReadOnlyMemory<byte> _unpiped; // a rewritten echo larger than the pipe: the rest, in the framing's buffer until the next frame
        private bool _waitedForData; // the last splice in found nothing: one that finds nothing again after the wait is at a mark
        private bool _ended;
        private bool _released;

        public SpliceLane(Socket socket, FramedEcho framing, IEchoMeter meter, ArrayPool<byte> buffers)
        {
            _buffers = buffers;
            _socket = socket;
            _framing = framing;
            _meter = meter;
            _fd = (int)socket.SafeHandle.DangerousGetHandle();
            // A peek's rewritten echo is at most twice its size (telnet doubles IAC and turns a newline into CR LF),
            // and goes into the empty pipe in one write: the peek is kept to half of what the pipe holds.
            _pipeBytes = _pipe.Capacity;
            _peekBytes = framing.InspectsData ? Math.Min(MaxPeekBytes, _pipeBytes / 2) : 0;
        }

        public SocketStep Step()
        {
            if (_inPipe > 0)
            {
                var sent = Splice.Move(_pipe.ReadFd, _fd, (int)Math.Min(_inPipe, MaxSpliceBytes));
                if (sent.WouldBlock)
                {
                    return SocketStep.Writable;
                }
                if (sent.Failed)
                {
                    return Lost(sent);
                }
                _meter.SplicedOut((int)sent.Bytes);
                _inPipe -= sent.Bytes;
                return SocketStep.Again;
            }
            if (!_unpiped.IsEmpty)
            {
                return FillMore();
            }
            if (_ended || _framing.Refusal is not null)
            {
                Release();
                return SocketStep.Ended(LaneEnd.Completed);
            }
            if (!_framing.ReadsMore && _framedAhead == 0)
            {
                _ended = true; // drained: nothing more is read, what the framing holds still goes back
                return Fill(_framing.Final());
            }
            if (_framing.InspectsData && _framedAhead == 0)
            {
                return Inspect();
            }
            var received = Splice.Move(_fd, _pipe.WriteFd, (int)(_framing.InspectsData ? _framedAhead : MaxSpliceBytes));
            if (received.Failed)
            {
                return Lost(received);
            }
            if ((received.EndOfStream || (received.WouldBlock && _waitedForData)) && AtUrgentMark())
            {
                // splice stops short of TCP's urgent mark: a blocking socket says end of stream there, a non-blocking
                // one EAGAIN while poll says readable. A copying receive reads past the mark.
                return Copy();
            }
            if (received.WouldBlock)
            {
                _waitedForData = true;
                return SocketStep.Readable;
            }
            _waitedForData = false;
            if (received.EndOfStream)
            {
                _ended = true; // only raw meets the end here (a peek finds it first), and raw holds nothing back
                return SocketStep.Again;
            }
            _meter.SplicedIn((int)received.Bytes);
            _inPipe += received.Bytes;
            _framedAhead = Math.Max(0, _framedAhead - received.Bytes);
            return SocketStep.Again;
        }

        public Memory<byte> ReceiveBuffer() => throw new InvalidOperationException("a splice receives by itself");

        public void Received(int bytes) => throw new InvalidOperationException("a splice receives by itself");

        public void Sent(int bytes) => throw new InvalidOperationException("a splice sends by itself");

        public void Abandon(Exception error) => Release();

        /// <summary>
        /// Show the protocol the next bytes without taking them; splice them if they are their own echo. The peek's
        /// buffer is rented for this look only: a session waiting for data holds none.
        /// </summary>
        private SocketStep Inspect()
        {
            var peek = _buffers.Rent(_peekBytes);
            try
            {
                return Inspect(peek);
            }
            finally
            {
                _buffers.Return(peek);
            }
        }

        private SocketStep Inspect(byte[] peek)
        {
            int peeked = _socket.Receive(peek, 0, _peekBytes, SocketFlags.Peek, out var error);
            if (error == SocketError.WouldBlock)
            {
                return SocketStep.Readable;
            }
            if (error != SocketError.Success)
            {
                Release();
                return SocketStep.Ended(LaneEnd.Lost($"peek: {error}"));
            }
            _meter.Peeked(peeked);
            if (peeked == 0)
            {
                _ended = true;
                return Fill(_framing.Final());
            }
            switch (_framing.Frame(peek.AsSpan(0, peeked)))
            {
                case FramedAs.Received:
                    _framedAhead = peeked;
                    return SocketStep.Again;
                case FramedAs.Broken:
                    return SocketStep.Again; // the next step ends the lane: nothing of a broken read goes back
            }
            // The slow path: take the peeked bytes for real, and put their rewritten echo in the pipe.
            for (int taken = 0; taken < peeked;)
            {
                int got = _socket.Receive(peek, taken, peeked - taken, SocketFlags.None, out error);
                if (error != SocketError.Success || got == 0)
                {
                    Release();
                    return SocketStep.Ended(LaneEnd.Lost($"taking peeked bytes: {error}"));
                }
                taken += got;
            }
            _meter.Received(peeked);
            return Fill(_framing.Written);
        }

        /// <summary>SIOCATMARK, asked only when a splice found nothing where there may be something: one ioctl, not a copy, for a wake-up with no data.</summary>
        private bool AtUrgentMark()
        {
            var atMark = new byte[sizeof(int)];
            try
            {
                _socket.IOControl(IOControlCode.OobDataRead, null, atMark);
            }
            catch (SocketException)
            {
                return false;
            }
            return BitConverter.ToInt32(atMark) != 0;
        }

        /// <summary>
        /// Take what splice would not by an ordinary receive, into user space and back out through the pipe: bytes
        /// splice stopped at are their own echo (raw's, or the ones a peek already framed as such).
        /// </summary>
        private SocketStep Copy()
        {
            _waitedForData = false;
            int limit = (int)(_framedAhead > 0 ? _framedAhead : _pipeBytes);
            var bytes = _buffers.Rent(limit);
            try
            {
                int got = _socket.Receive(bytes, 0, limit, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    return SocketStep.Readable;
                }
                if (error != SocketError.Success || (got == 0 && _framedAhead > 0))
                {
                    Release();
                    return SocketStep.Ended(LaneEnd.Lost($"receive past the urgent mark: {error}"));
                }
                if (got == 0)
                {
                    _ended = true; // the real end of the stream; only raw gets here, and raw holds nothing back
                    return SocketStep.Again;
                }
                _meter.Received(got);
                _framedAhead = Math.Max(0, _framedAhead - got);
                var step = Fill(bytes.AsMemory(0, got)); // at most a pipe's worth into the empty pipe: all of it goes in
                if (!_unpiped.IsEmpty)
                {
                    _unpiped = default;
                    Release();
                    return SocketStep.Ended(LaneEnd.Lost("the kernel pipe took part of the bytes at the urgent mark"));
                }
                return step;
            }
            finally
            {
                _buffers.Return(bytes);
            }
        }

        /// <summary>
        /// Put an echo from user space into the empty pipe. What does not fit (telnet answers a 2-byte AYT with 9)
        /// waits in <see cref="_unpiped"/> and follows as the pipe empties, before anything more is read: an echo is
        /// never cut short, and user-space memory bounds it, not the pipe.
        /// </summary>
        private SocketStep Fill(ReadOnlyMemory<byte> echo)
        {
            _unpiped = echo;
            return _unpiped.IsEmpty ? SocketStep.Again : FillMore();
        }

        private SocketStep FillMore()
        {
            var filled = _pipe.Fill(_unpiped.Span); // the pipe is empty: it takes at least a page
            if (filled.Failed || filled.WouldBlock)
            {
                Release();
                return SocketStep.Ended(LaneEnd.Lost($"the kernel pipe took none of {_unpiped.Length} echo bytes ({ErrorOf(filled)})"));
            }
            _meter.Piped((int)filled.Bytes);
            _inPipe = filled.Bytes;
            _unpiped = _unpiped[(int)filled.Bytes..];
            return SocketStep.Again;
        }

        private SocketStep Lost(Splice.Result result)
        {
            Release();
            return SocketStep.Ended(LaneEnd.Lost($"splice: {ErrorOf(result)}"));
        }

        private static string ErrorOf(Splice.Result result) => result.Errno == 0 ? "no error" : Marshal.GetPInvokeErrorMessage(result.Errno);

        private void Release()
        {
            if (!_released)
            {
                _released = true;
                _pipe.Dispose();
            }
        }
    }
}
