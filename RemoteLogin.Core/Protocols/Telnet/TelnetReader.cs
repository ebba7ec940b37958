namespace RemoteLogin.Protocols.Telnet;

/// <summary>Why a telnet stream cannot go on; the reader reports it instead of throwing.</summary>
public enum TelnetReadStatus
{
    Ok,
    /// <summary>A subnegotiation ran past the reader's cap before its IAC SE: the peer is broken or hostile.</summary>
    SubnegotiationTooLong,
}

/// <summary>
/// Parses the client-to-server telnet stream (RFC 854) as it arrives, in reads split anywhere: a command, a
/// negotiation or a CR NUL may straddle two reads, and the result is the same as for the stream read whole.
/// Plain data is handed on as slices of the input, so a stream without IAC costs no copy. Subnegotiations are
/// buffered up to a hard cap.
/// </summary>
public sealed class TelnetReader(int maxSubnegotiationBytes = TelnetReader.DefaultMaxSubnegotiationBytes)
{
    public const int DefaultMaxSubnegotiationBytes = 256;

    private enum State
    {
        Data,
        /// <summary>A CR was the last data byte: a NUL after it is dropped (CR NUL means a bare CR).</summary>
        DataAfterCr,
        Iac,
        Negotiation,
        SubnegotiationOption,
        Subnegotiation,
        SubnegotiationIac,
    }

    private readonly byte[] _parameters = new byte[maxSubnegotiationBytes];
    private State _state;
    private byte _verb;
    private byte _option;
    private int _parameterCount;

    /// <summary>Whether the next byte starts afresh: no command, subnegotiation or CR NUL is half read.</summary>
    public bool AtPlainData => _state == State.Data;

    public TelnetReadStatus Read(ReadOnlySpan<byte> input, ITelnetSink sink)
    {
        int run = 0; // where the current run of plain data starts, while in a data state
        for (int i = 0; i < input.Length; i++)
        {
            byte b = input[i];
            switch (_state)
            {
                case State.Data:
                case State.DataAfterCr:
                    if (b == TelnetCodes.Iac)
                    {
                        Emit(input[run..i], sink);
                        _state = State.Iac;
                    }
                    else if (b == TelnetCodes.Nul && _state == State.DataAfterCr)
                    {
                        Emit(input[run..i], sink);
                        sink.CarriageReturnEnded();
                        run = i + 1;
                        _state = State.Data;
                    }
                    else
                    {
                        _state = b == TelnetCodes.Cr ? State.DataAfterCr : State.Data;
                    }
                    break;
                case State.Iac:
                    if (b == TelnetCodes.Iac)
                    {
                        run = i; // the second IAC is a data byte
                        _state = State.Data;
                    }
                    else if (TelnetCodes.IsNegotiation(b))
                    {
                        _verb = b;
                        _state = State.Negotiation;
                    }
                    else if (b == TelnetCodes.Sb)
                    {
                        _state = State.SubnegotiationOption;
                    }
                    else
                    {
                        sink.Command(b);
                        run = i + 1;
                        _state = State.Data;
                    }
                    break;
                case State.Negotiation:
                    sink.Negotiation(_verb, b);
                    run = i + 1;
                    _state = State.Data;
                    break;
                case State.SubnegotiationOption:
                    _option = b;
                    _parameterCount = 0;
                    _state = State.Subnegotiation;
                    break;
                case State.Subnegotiation:
                    if (b == TelnetCodes.Iac)
                    {
                        _state = State.SubnegotiationIac;
                    }
                    else if (!TryAddParameter(b))
                    {
                        return TelnetReadStatus.SubnegotiationTooLong;
                    }
                    break;
                case State.SubnegotiationIac:
                    if (b == TelnetCodes.Iac)
                    {
                        if (!TryAddParameter(b))
                        {
                            return TelnetReadStatus.SubnegotiationTooLong;
                        }
                        _state = State.Subnegotiation;
                        break;
                    }
                    sink.Subnegotiation(_option, _parameters.AsSpan(0, _parameterCount));
                    if (b == TelnetCodes.Se)
                    {
                        run = i + 1;
                        _state = State.Data;
                    }
                    else
                    {
                        // IAC and anything but SE or IAC ends the subnegotiation too (RFC 854 leaves it open); the
                        // byte is read as the command after that IAC.
                        _state = State.Iac;
                        i--;
                    }
                    break;
            }
        }
        if (_state is State.Data or State.DataAfterCr)
        {
            Emit(input[run..], sink);
        }
        return TelnetReadStatus.Ok;
    }

    private bool TryAddParameter(byte b)
    {
        if (_parameterCount == _parameters.Length)
        {
            return false;
        }
        _parameters[_parameterCount++] = b;
        return true;
    }

    private static void Emit(ReadOnlySpan<byte> data, ITelnetSink sink)
    {
        if (!data.IsEmpty)
        {
            sink.Data(data);
        }
    }
}
