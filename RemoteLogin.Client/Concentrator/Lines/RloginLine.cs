using System.Buffers;
using System.Net.Sockets;
using System.Text;
using RemoteLogin.Protocols.Rlogin;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Concentrator.Lines;

/// <summary>
/// An rlogin terminal (RFC 1282), answered as the daemon answers one: its handshake read and answered with NUL and one
/// urgent control byte asking for the window size and raw mode; a malformed or late handshake refused with a byte 1
/// and a line. The host gets the terminal's data less its window-size messages; the terminal gets the host's bytes as
/// they are.
/// </summary>
internal sealed class RloginLine : ILineProtocol
{
    private static readonly byte[] Accepted = [0];
    // RFC 1282's control bits, as the shared client names them: one urgent byte asking for the window size and raw mode.
    private static readonly byte[] Control = [RloginClient.SendWindowSize | RloginClient.RawMode];

    public static RloginLine Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Rlogin;

    public async ValueTask<LineOpening> OpenAsync(Socket terminal, CancellationToken deadline)
    {
        var handshake = new RloginHandshake();
        var peeked = new byte[RloginHandshake.MaxTotalBytes];
        try
        {
            while (true)
            {
                // Peek, then take only the handshake's bytes: whatever the terminal sent after it is the host's.
                int available = await terminal.ReceiveAsync(peeked, SocketFlags.Peek, deadline);
                if (available == 0)
                {
                    return new LineOpening("rlogin: the terminal left during the handshake");
                }
                var status = handshake.Read(peeked.AsSpan(0, available), out int consumed);
                await terminal.ReceiveAsync(peeked.AsMemory(0, consumed), SocketFlags.None, deadline);
                if (status == RloginHandshakeStatus.Malformed)
                {
                    return await RefuseAsync(terminal, $"rlogin: {handshake.Error}");
                }
                if (status == RloginHandshakeStatus.Complete)
                {
                    break;
                }
            }
            await terminal.SendAsync(Accepted, SocketFlags.None, deadline);
            await terminal.SendAsync(Control, SocketFlags.OutOfBand, deadline);
            return LineOpening.Done;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return await RefuseAsync(terminal, $"rlogin: handshake incomplete at the deadline ({handshake.Progress})");
        }
    }

    public ILineCodec NewCodec() => new Codec();

    /// <summary>RFC 1282's refusal: a byte 1 and a line; the line's close reads what the terminal still sends.</summary>
    private static async ValueTask<LineOpening> RefuseAsync(Socket terminal, string error)
    {
        try
        {
            await terminal.SendAsync(Encoding.ASCII.GetBytes($"\u0001{error}\n"), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The terminal is gone already: there is no one left to tell.
        }
        return new LineOpening(error);
    }

    private sealed class Codec : ILineCodec, IRloginSink
    {
        private readonly RloginWindowFilter _filter = new();
        private IBufferWriter<byte>? _toHost;

        public Decoded FromTerminal(ReadOnlySpan<byte> received, IBufferWriter<byte> toHost, IBufferWriter<byte> toTerminal)
        {
            if (!_filter.Holding && !received.Contains((byte)0xFF))
            {
                return Decoded.Received;
            }
            _toHost = toHost;
            _filter.Read(received, this);
            _toHost = null;
            return Decoded.Written;
        }

        public void Finish(IBufferWriter<byte> toHost)
        {
            _toHost = toHost;
            _filter.Flush(this);
            _toHost = null;
        }

        /// <summary>The start of what may be a window-size message: data after all, if the next bytes say so.</summary>
        public int Held => _filter.HeldBytes;

        public void ToTerminal(ReadOnlySpan<byte> fromHost, IBufferWriter<byte> toTerminal) => toTerminal.Write(fromHost);

        void IRloginSink.Data(ReadOnlySpan<byte> data) => _toHost!.Write(data);

        void IRloginSink.WindowSize(ushort rows, ushort columns, ushort xPixels, ushort yPixels)
        {
            // The host echoes; it has no screen to fit.
        }
    }
}
