using System.Buffers;

namespace RemoteLogin.Client.Connect;

internal enum EscapeOutcome
{
    /// <summary>Send what was written and go on.</summary>
    Continue,
    /// <summary>"~." was typed at the start of a line: send what was written before it and end the session.</summary>
    EndSession,
}

/// <summary>
/// rlogin's escape: a "~" at the start of a line (the session's start, or after CR or LF) is held until the next
/// key. "~." ends the session, "~~" sends one "~", "~" and anything else sends both. Only for a person at a
/// terminal: a stream piped in is sent exactly as it is.
/// </summary>
internal sealed class TildeEscape
{
    private const byte Tilde = (byte)'~';
    private const byte Dot = (byte)'.';

    private bool _atLineStart = true;
    private bool _holding;

    public EscapeOutcome Filter(ReadOnlySpan<byte> typed, IBufferWriter<byte> output)
    {
        foreach (byte b in typed)
        {
            if (_holding)
            {
                _holding = false;
                if (b == Dot)
                {
                    return EscapeOutcome.EndSession;
                }
                Put(Tilde, output);
                if (b == Tilde)
                {
                    _atLineStart = false;
                    continue;
                }
            }
            else if (_atLineStart && b == Tilde)
            {
                _holding = true;
                continue;
            }
            Put(b, output);
            _atLineStart = b is (byte)'\r' or (byte)'\n';
        }
        return EscapeOutcome.Continue;
    }

    private static void Put(byte b, IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
