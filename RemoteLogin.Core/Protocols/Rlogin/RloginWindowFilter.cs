namespace RemoteLogin.Protocols.Rlogin;

/// <summary>Where <see cref="RloginWindowFilter"/> puts what it finds, in stream order.</summary>
public interface IRloginSink
{
    /// <summary>Session data; a slice of the input, except for the few bytes of a false window-size start held across reads.</summary>
    void Data(ReadOnlySpan<byte> data);

    void WindowSize(ushort rows, ushort columns, ushort xPixels, ushort yPixels);
}

/// <summary>
/// Strips RFC 1282 window-size messages (FF FF 's' 's', then rows, columns, x and y pixels, 16 bits each in network
/// order) from the client's data, in reads split anywhere.
/// </summary>
public sealed class RloginWindowFilter
{
    public const int MessageBytes = 12;
    private static ReadOnlySpan<byte> Magic => [0xFF, 0xFF, (byte)'s', (byte)'s'];

    private readonly byte[] _held = new byte[MessageBytes];
    private int _heldLength;

    /// <summary>Whether bytes that may start a window-size message are held, waiting for the next read to tell.</summary>
    public bool Holding => _heldLength > 0;

    /// <summary>Bytes held that a later read or <see cref="Flush"/> may still hand on as data.</summary>
    public int HeldBytes => _heldLength;

    public void Read(ReadOnlySpan<byte> input, IRloginSink sink)
    {
        int run = 0;
        for (int i = 0; i < input.Length; i++)
        {
            byte b = input[i];
            if (_heldLength == 0)
            {
                if (b == Magic[0])
                {
                    Emit(input[run..i], sink);
                    _held[_heldLength++] = b;
                }
                continue;
            }
            if (_heldLength < Magic.Length && b != Magic[_heldLength])
            {
                if (_heldLength == 2 && b == Magic[0])
                {
                    // FF FF FF: a message may still start at the second of them, so only the first is data.
                    Emit(_held.AsSpan(0, 1), sink);
                    continue;
                }
                // Not a window-size message after all: what was held is data, and this byte is looked at afresh.
                Emit(_held.AsSpan(0, _heldLength), sink);
                _heldLength = 0;
                run = i;
                i--;
                continue;
            }
            _held[_heldLength++] = b;
            if (_heldLength == MessageBytes)
            {
                sink.WindowSize(Read16(4), Read16(6), Read16(8), Read16(10));
                _heldLength = 0;
                run = i + 1;
            }
        }
        if (_heldLength == 0)
        {
            Emit(input[run..], sink);
        }
    }

    /// <summary>At the end of the stream: bytes held as a possible message start were data after all.</summary>
    public void Flush(IRloginSink sink)
    {
        Emit(_held.AsSpan(0, _heldLength), sink);
        _heldLength = 0;
    }

    private ushort Read16(int at) => (ushort)(_held[at] << 8 | _held[at + 1]);

    private static void Emit(ReadOnlySpan<byte> data, IRloginSink sink)
    {
        if (!data.IsEmpty)
        {
            sink.Data(data);
        }
    }
}
