using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Protocols;

namespace RemoteLogin.Server.Echo;

/// <summary>
/// splice(2) socket → kernel pipe → same socket: under raw the echoed bytes never enter user space. The task model
/// waits for data with a zero-byte receive, which costs no buffer and no copy; the thread model simply blocks.
/// A protocol that must see the data (telnet, rlogin) cannot without a copy: it gets one by peek (recv MSG_PEEK, one
/// more system call per read, the bytes copied out for inspection only). On the protocol's fast path the bytes then
/// go back by splice; only a rewritten echo is taken for real and written into the pipe from user space.
/// </summary>
public sealed class ZeroCopyEcho : IEchoStrategy
{
    private static readonly TimeSpan WritableBackoff = TimeSpan.FromMilliseconds(1);

    public async Task EchoAsync(Socket socket, FramedEcho framing, EchoTally tally, CancellationToken cancellationToken)
    {
        // splice(2) blocks on a blocking socket whatever its flags say; a thread-pool thread must never block.
        socket.Blocking = false;
        using var splicing = new SpliceSession(socket, framing, tally);
        while (true)
        {
            switch (splicing.Step())
            {
                case SpliceSession.Wait.Readable:
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                    break;
                case SpliceSession.Wait.Writable:
                    // The client is not reading. .NET has no awaitable "writable" event, so back off briefly;
                    // the bytes wait in the kernel pipe and nothing is dropped.
                    await Task.Delay(WritableBackoff, cancellationToken);
                    break;
                case SpliceSession.Wait.Ended:
                    return;
            }
        }
    }

    public void Echo(Socket socket, FramedEcho framing, EchoTally tally)
    {
        socket.Blocking = true;
        using var splicing = new SpliceSession(socket, framing, tally);
        while (true)
        {
            // TCP blocks in splice whatever the flags say; a Unix socket (the relay model's child) honours SPLICE_F_NONBLOCK.
            switch (splicing.Step())
            {
                case SpliceSession.Wait.Readable:
                    socket.Poll(-1, SelectMode.SelectRead);
                    break;
                case SpliceSession.Wait.Writable:
                    socket.Poll(-1, SelectMode.SelectWrite); // this thread is the session's own: waiting is its job
                    break;
                case SpliceSession.Wait.Ended:
                    return;
            }
        }
    }

    /// <summary>One session's splicing, one non-waiting step at a time; the two models differ only in how they wait.</summary>
    private sealed class SpliceSession : IDisposable
    {
        private const int MaxSpliceBytes = 64 * 1024; // a default pipe's capacity
        private const int MaxPeekBytes = 16 * 1024;

        public enum Wait
        {
            None,
            Readable,
            Writable,
            Ended,
        }

        private readonly Socket _socket;
        private readonly FramedEcho _framing;
        private readonly EchoTally _tally;
        private readonly Splice.KernelPipe _pipe = new();
        private readonly int _fd;
        private readonly byte[]? _peek;
        private readonly int _peekBytes;
        private long _inPipe;       // echo in the kernel pipe, still to go out
        private long _framedAhead;  // peeked bytes framed as their own echo, still to be spliced in
        private bool _ended;

        public SpliceSession(Socket socket, FramedEcho framing, EchoTally tally)
        {
            _socket = socket;
            _framing = framing;
            _tally = tally;
            _fd = (int)socket.SafeHandle.DangerousGetHandle();
            if (framing.InspectsData)
            {
                _peek = ArrayPool<byte>.Shared.Rent(MaxPeekBytes);
                // A peek's rewritten echo is at most twice its size (telnet doubles IAC and turns a newline into CR LF),
                // and goes into the empty pipe in one write: the peek is kept to half of what the pipe holds.
                _peekBytes = Math.Min(MaxPeekBytes, _pipe.Capacity / 2);
            }
        }

        public Wait Step()
        {
            if (_inPipe > 0)
            {
                var sent = Splice.Move(_pipe.ReadFd, _fd, (int)Math.Min(_inPipe, MaxSpliceBytes));
                if (sent.WouldBlock)
                {
                    return Wait.Writable;
                }
                ThrowIfFailed(sent);
                _tally.SplicedOut((int)sent.Bytes);
                _inPipe -= sent.Bytes;
                return Wait.None;
            }
            if (_ended)
            {
                return Wait.Ended;
            }
            if (_peek is not null && _framedAhead == 0)
            {
                return Inspect(_peek);
            }
            var received = Splice.Move(_fd, _pipe.WriteFd, (int)(_peek is null ? MaxSpliceBytes : _framedAhead));
            if (received.WouldBlock)
            {
                return Wait.Readable;
            }
            ThrowIfFailed(received);
            if (received.EndOfStream)
            {
                _ended = true; // only raw splices without a peek first, and raw holds nothing back
                return Wait.None;
            }
            _tally.SplicedIn((int)received.Bytes);
            _inPipe += received.Bytes;
            _framedAhead = Math.Max(0, _framedAhead - received.Bytes);
            return Wait.None;
        }

        public void Dispose()
        {
            _pipe.Dispose();
            if (_peek is not null)
            {
                ArrayPool<byte>.Shared.Return(_peek);
            }
        }

        /// <summary>Show the protocol the next bytes without taking them; splice them if they are their own echo.</summary>
        private Wait Inspect(byte[] peek)
        {
            int peeked = _socket.Receive(peek, 0, _peekBytes, SocketFlags.Peek, out var error);
            if (error == SocketError.WouldBlock)
            {
                return Wait.Readable;
            }
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
            _tally.Copies.IntoUser(peeked); // for inspection only: the same bytes come in again, by splice or for real
            if (peeked == 0)
            {
                _ended = true;
                return Fill(_framing.Final());
            }
            if (_framing.Frame(peek.AsSpan(0, peeked)) == FramedAs.Received)
            {
                _framedAhead = peeked;
                return Wait.None;
            }
            // The slow path: take the peeked bytes for real, and put their rewritten echo in the pipe.
            for (int taken = 0; taken < peeked;)
            {
                taken += _socket.Receive(peek, taken, peeked - taken, SocketFlags.None);
            }
            _tally.Received(peeked);
            return Fill(_framing.Written);
        }

        private Wait Fill(ReadOnlyMemory<byte> echo)
        {
            if (!echo.IsEmpty)
            {
                var filled = _pipe.Fill(echo.Span);
                ThrowIfFailed(filled);
                if (filled.Bytes != echo.Length)
                {
                    throw new IOException($"the kernel pipe took {filled.Bytes} of {echo.Length} echo bytes");
                }
                _tally.Copies.OutOfUser(echo.Length);
                _inPipe = echo.Length;
            }
            return Wait.None;
        }

        private static void ThrowIfFailed(Splice.Result result)
        {
            if (result.Failed)
            {
                throw new IOException($"splice: {Marshal.GetPInvokeErrorMessage(result.Errno)}");
            }
        }
    }
}
