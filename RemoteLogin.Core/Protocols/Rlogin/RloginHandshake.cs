using System.Text;

namespace RemoteLogin.Protocols.Rlogin;

public enum RloginHandshakeStatus
{
    NeedMore,
    Complete,
    /// <summary>Not an rlogin handshake, or one past its caps: <see cref="RloginHandshake.Error"/> says which.</summary>
    Malformed,
}

/// <summary>
/// RFC 1282's opening, read as it arrives: a NUL, then client user, server user and terminal/speed, each ended by a
/// NUL. Each field is capped (64 bytes) and so is the whole (256), so a peer that never sends a NUL is refused
/// once it has sent too much, not buffered for ever. The names are labels only: the daemon never authenticates.
/// </summary>
public sealed class RloginHandshake
{
    public const int MaxFieldBytes = 64;
    public const int MaxTotalBytes = 256;
    private static readonly string[] FieldNames = ["client user", "server user", "terminal/speed"];

    private readonly string[] _fields = new string[3];
    private readonly byte[] _field = new byte[MaxFieldBytes];
    private int _fieldLength;
    private int _fieldIndex = -1; // -1: the leading NUL is still to come
    private int _total;

    public string? ClientUser => _fields[0];

    public string? ServerUser => _fields[1];

    public string? TerminalSpeed => _fields[2];

    public string? Error { get; private set; }

    /// <summary>How far the handshake got, for the message that closes a session which never finished it.</summary>
    public string Progress => _total == 0 ? "nothing received" : $"{_total} bytes received, {Math.Max(0, _fieldIndex)} of 3 fields complete";

    /// <summary>Read handshake bytes; <paramref name="consumed"/> says how many of <paramref name="input"/> were the handshake's (the rest is session data).</summary>
    public RloginHandshakeStatus Read(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = 0;
        if (Error is not null)
        {
            return RloginHandshakeStatus.Malformed;
        }
        foreach (byte b in input)
        {
            consumed++;
            if (++_total > MaxTotalBytes)
            {
                return Fail($"handshake longer than {MaxTotalBytes} bytes");
            }
            if (_fieldIndex < 0)
            {
                if (b != 0)
                {
                    return Fail("handshake does not start with NUL");
                }
                _fieldIndex = 0;
                continue;
            }
            if (b != 0)
            {
                if (_fieldLength == MaxFieldBytes)
                {
                    return Fail($"{FieldNames[_fieldIndex]} longer than {MaxFieldBytes} bytes");
                }
                _field[_fieldLength++] = b;
                continue;
            }
            _fields[_fieldIndex] = Encoding.Latin1.GetString(_field, 0, _fieldLength);
            _fieldLength = 0;
            if (++_fieldIndex == _fields.Length)
            {
                return RloginHandshakeStatus.Complete;
            }
        }
        return RloginHandshakeStatus.NeedMore;
    }

    private RloginHandshakeStatus Fail(string error)
    {
        Error = error;
        return RloginHandshakeStatus.Malformed;
    }
}
