using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace RemoteLogin.Protocols.Rlogin;

/// <summary>
/// The client end of RFC 1282: the opening names the users and the terminal, the server answers one NUL (or its
/// refusal), and from then on data is plain both ways. The server's control bytes come as TCP urgent data, out of
/// the data stream (SO_OOBINLINE stays off); the one that matters here is 0x80, "send your window size", after which
/// every resize is reported too.
/// </summary>
public sealed class RloginClient(string clientUser, string serverUser, string terminal) : LoginClientProtocol
{
    /// <summary>Urgent control bits (RFC 1282, "Control Characters").</summary>
    public const byte FlushOutput = 0x02;
    public const byte RawMode = 0x10;
    public const byte CookedMode = 0x20;
    public const byte SendWindowSize = 0x80;

    public const int Speed = 38400;

    /// <summary>The longest refusal text read before giving up on its newline.</summary>
    private const int MaxRefusalBytes = 256;

    private static ReadOnlySpan<byte> Nul => [0];

    private volatile bool _windowSizeWanted;

    /// <summary>The local user as both users, $TERM (or "network") as the terminal, as the stock rlogin does.</summary>
    public RloginClient()
        : this(Environment.UserName, Environment.UserName, Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term ? term : "network")
    {
    }

    /// <summary>True once the server asked for window sizes.</summary>
    public bool WindowSizeWanted => _windowSizeWanted;

    public override bool UsesUrgentData => true;

    /// <summary>NUL, client user, NUL, server user, NUL, terminal/speed, NUL: each field cut to the server's cap.</summary>
    public byte[] Handshake()
    {
        var bytes = new ArrayBufferWriter<byte>(3 * (RloginHandshake.MaxFieldBytes + 1) + 1);
        bytes.Write(Nul);
        foreach (var field in new[] { clientUser, serverUser, $"{terminal}/{Speed.ToString(CultureInfo.InvariantCulture)}" })
        {
            var encoded = Encoding.UTF8.GetBytes(field.Replace("\0", "", StringComparison.Ordinal));
            bytes.Write(encoded.AsSpan(0, Math.Min(encoded.Length, RloginHandshake.MaxFieldBytes)));
            bytes.Write(Nul);
        }
        return bytes.WrittenSpan.ToArray();
    }

    public override void Open(Socket socket, TimeSpan timeout)
    {
        var deadline = new OpeningDeadline(socket, timeout, "rlogin");
        deadline.Send(Handshake());
        Span<byte> answer = stackalloc byte[1];
        deadline.Receive(answer, "did not answer the handshake", "the handshake");
        if (answer[0] != 0)
        {
            throw new LoginProtocolException($"rlogin: the server refused: {Refusal(answer[0], deadline)}");
        }
    }

    public override void Encode(ReadOnlySpan<byte> typed, IBufferWriter<byte> wire) => wire.Write(typed);

    public override void Decode(ReadOnlySpan<byte> received, IBufferWriter<byte> display, IBufferWriter<byte> replies) =>
        display.Write(received);

    /// <summary>
    /// Answers 0x80 with the window size and remembers to report resizes. Flush, raw and cooked need nothing: this
    /// client keeps no output to flush and is always raw (flow control is the terminal's, not ours).
    /// </summary>
    public override void Urgent(byte control, TerminalSize size, IBufferWriter<byte> replies)
    {
        if ((control & SendWindowSize) != 0)
        {
            _windowSizeWanted = true;
            WindowSize(size, replies);
        }
    }

    public override void WindowChanged(TerminalSize size, IBufferWriter<byte> replies)
    {
        if (_windowSizeWanted)
        {
            WindowSize(size, replies);
        }
    }

    /// <summary>FF FF 's' 's', then rows, columns, x and y pixels, 16 bits each in network order: 12 bytes.</summary>
    public static void WindowSize(TerminalSize size, IBufferWriter<byte> output)
    {
        var message = output.GetSpan(RloginWindowFilter.MessageBytes)[..RloginWindowFilter.MessageBytes];
        message[0] = 0xFF;
        message[1] = 0xFF;
        message[2] = (byte)'s';
        message[3] = (byte)'s';
        BinaryPrimitives.WriteUInt16BigEndian(message[4..], size.Rows);
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], size.Columns);
        BinaryPrimitives.WriteUInt16BigEndian(message[8..], size.XPixels);
        BinaryPrimitives.WriteUInt16BigEndian(message[10..], size.YPixels);
        output.Advance(RloginWindowFilter.MessageBytes);
    }

    /// <summary>
    /// The server's reason, up to its newline: RFC 1282 servers send 0x01 and a line of text. Whatever arrives before
    /// the deadline, the close or the cap is what the user sees.
    /// </summary>
    private static string Refusal(byte first, OpeningDeadline deadline)
    {
        var text = new List<byte>(MaxRefusalBytes);
        if (first != 1)
        {
            text.Add(first);
        }
        Span<byte> one = stackalloc byte[1];
        while (text.Count < MaxRefusalBytes && !text.Contains((byte)'\n'))
        {
            if (deadline.TryReceive(one) is not 1)
            {
                break;
            }
            text.Add(one[0]);
        }
        var reason = Encoding.UTF8.GetString(text.ToArray()).Trim();
        return reason.Length > 0 ? reason : "(no reason given)";
    }
}
