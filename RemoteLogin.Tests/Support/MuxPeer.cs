using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Protocols.Mux;

namespace RemoteLogin.Tests.Support;

/// <summary>
/// A concentrator's side of one mux connection, for the tests: it opens terminals, sends their bytes within the
/// daemon's credit, keeps what comes back per terminal, and credits it back as it takes it (unless a terminal is told
/// to stop reading). It speaks through the same framing code as the daemon; the tests that break the framing write raw bytes.
/// </summary>
internal sealed class MuxPeer : IAsyncDisposable
{
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(60);

    private readonly Socket _socket;
    // Async, so that a send waiting on a full socket never holds a pool thread the in-process daemon needs.
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ConcurrentDictionary<ushort, Terminal> _terminals = new();
    private readonly TaskCompletionSource<string> _error = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _receiving;
    private volatile bool _bypassedWindows;

    private MuxPeer(Socket socket)
    {
        _socket = socket;
        _receiving = Task.Run(ReceiveAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>The daemon's ERROR, if it sent one.</summary>
    public Task<string> Error => _error.Task;

    /// <summary>Completes when the daemon has ended the connection (its FIN, or a reset).</summary>
    public Task Ended => _receiving;

    public static async Task<MuxPeer> ConnectAsync(IPEndPoint daemon)
    {
        var socket = new Socket(daemon.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(daemon);
        return new MuxPeer(socket);
    }

    public void Open(ushort id, string name = "test")
    {
        _terminals[id] = new Terminal();
        Send(o => MuxWriter.Open(o, id, name));
    }

    /// <summary>The terminal's bytes, in frames, never past the daemon's credit: waits for credit as a concentrator would.</summary>
    public async Task SendAsync(ushort id, ReadOnlyMemory<byte> bytes)
    {
        var terminal = _terminals[id];
        while (!bytes.IsEmpty)
        {
            int take;
            while ((take = terminal.Take(bytes.Length)) == 0)
            {
                Assert.True(await terminal.Credited.WaitAsync(Liveness), $"terminal {id}: no credit from the daemon within {Liveness}");
            }
            var chunk = bytes[..take];
            await SendFrameAsync(o => MuxWriter.Data(o, id, chunk.Span));
            bytes = bytes[take..];
        }
    }

    public void Close(ushort id) => Send(o => MuxWriter.Close(o, id));

    /// <summary>Bytes as they are, framing or not: a hostile or broken concentrator.</summary>
    public void SendRaw(byte[] bytes)
    {
        _bypassedWindows = true; // the daemon may now credit bytes this side never took from a window
        try
        {
            SendRawAsync(bytes).GetAwaiter().GetResult();
        }
        catch (SocketException)
        {
            // The daemon ended the connection partway: what it said before that is what a test asks about.
        }
    }

    private async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _sendGate.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>From now on this terminal's echoes are kept but never credited: a terminal that stopped reading.</summary>
    public void StopReading(ushort id) => _terminals[id].Reading = false;

    public void Disconnect() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>A reset, as a crashed concentrator's kernel sends: SO_LINGER with a zero timeout, then the close.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>What came back for the terminal, once <paramref name="count"/> bytes have, or the terminal or the connection has ended.</summary>
    public async Task<byte[]> EchoedAsync(ushort id, int count)
    {
        var terminal = _terminals[id];
        var deadline = DateTime.UtcNow + Liveness;
        while (terminal.EchoedCount < count && DateTime.UtcNow < deadline && !_receiving.IsCompleted && !terminal.Closed.Task.IsCompleted)
        {
            await Task.Delay(10);
        }
        return terminal.Echoed();
    }

    /// <summary>The daemon's CLOSE for the terminal: its reason.</summary>
    public async Task<string> ClosedAsync(ushort id)
    {
        var closed = _terminals[id].Closed.Task;
        Assert.True(await Task.WhenAny(closed, Task.Delay(Liveness)) == closed,
            $"no CLOSE for terminal {id} within {Liveness}; echoed so far: {string.Join(", ", _terminals.Select(t => $"{t.Key}: {t.Value.EchoedCount}{(t.Value.Closed.Task.IsCompleted ? " closed" : "")}"))}");
        return await closed;
    }

    public bool IsClosed(ushort id) => _terminals[id].Closed.Task.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _receiving.WaitAsync(Liveness).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Send(Action<IBufferWriter<byte>> write) => SendFrameAsync(write).GetAwaiter().GetResult();

    private async Task SendFrameAsync(Action<IBufferWriter<byte>> write)
    {
        var frame = new ArrayBufferWriter<byte>();
        write(frame);
        await SendRawAsync(frame.WrittenMemory);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        try
        {
            int received;
            while ((received = await _socket.ReceiveAsync(buffer)) > 0)
            {
                pending.AddRange(buffer.AsSpan(0, received));
                var input = new ReadOnlySequence<byte>(pending.ToArray());
                MuxRead read;
                while ((read = MuxReader.TryRead(ref input)).Status == MuxReadStatus.Frame)
                {
                    await HandleAsync(read.Frame);
                }
                Assert.False(read.IsMalformed, $"the daemon sent a malformed frame: {read.Problem}");
                pending.RemoveRange(0, pending.Count - (int)input.Length);
            }
        }
        catch (SocketException)
        {
            // A reset ends the connection as a FIN does, for what the tests ask.
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            _error.TrySetException(e); // a broken rule on the daemon's side fails the test that waits, rather than hanging it
            throw;
        }
        _error.TrySetCanceled();
    }

    private async Task HandleAsync(MuxFrame frame)
    {
        switch (frame.Type)
        {
            case MuxFrameType.Error:
                _error.TrySetResult(frame.Text);
                return;
            case MuxFrameType.Data:
                var terminal = _terminals[frame.Terminal];
                terminal.Echo(frame.Payload);
                if (terminal.Reading && terminal.Window.Consumed((int)frame.Payload.Length) is > 0 and var credit)
                {
                    await SendFrameAsync(o => MuxWriter.Credit(o, frame.Terminal, credit));
                }
                return;
            case MuxFrameType.Credit:
                _terminals[frame.Terminal].Grant(frame.Credit, _bypassedWindows);
                return;
            case MuxFrameType.Close:
                _terminals[frame.Terminal].Closed.TrySetResult(frame.Text);
                return;
            default:
                throw new InvalidOperationException($"the daemon sent {frame.Type}");
        }
    }

    private sealed class Terminal
    {
        private readonly Lock _gate = new();
        private readonly List<byte> _echoed = [];
        private readonly MuxSendWindow _send = new();

        public volatile bool Reading = true;

        public MuxReceiveWindow Window { get; } = new();

        public SemaphoreSlim Credited { get; } = new(0);

        public TaskCompletionSource<string> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int EchoedCount
        {
            get
            {
                lock (_gate)
                {
                    return _echoed.Count;
                }
            }
        }

        public byte[] Echoed()
        {
            lock (_gate)
            {
                return [.. _echoed];
            }
        }

        public void Echo(in ReadOnlySequence<byte> bytes)
        {
            lock (_gate)
            {
                Assert.True(Window.Receive((int)bytes.Length), "the daemon sent past the terminal's window");
                _echoed.AddRange(bytes.ToArray());
            }
        }

        public int Take(int wanted)
        {
            lock (_gate)
            {
                return _send.Take(Math.Min(wanted, MuxLimits.MaxDataPayload));
            }
        }

        public void Grant(uint credit, bool bypassedWindows)
        {
            lock (_gate)
            {
                Assert.True(_send.Grant(credit) || bypassedWindows, "the daemon granted more than it was sent");
            }
            Credited.Release();
        }
    }
}
