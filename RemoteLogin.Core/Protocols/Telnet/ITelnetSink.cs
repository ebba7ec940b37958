namespace RemoteLogin.Protocols.Telnet;

/// <summary>Where <see cref="TelnetReader"/> puts what it finds, in stream order.</summary>
public interface ITelnetSink
{
    /// <summary>Plain data: a slice of the input, never a copy, with IAC IAC and CR NUL already undone.</summary>
    void Data(ReadOnlySpan<byte> data);

    /// <summary>IAC followed by a command other than negotiation and subnegotiation (NOP, GA, AYT, ...).</summary>
    void Command(byte command);

    /// <summary>IAC WILL|WONT|DO|DONT option.</summary>
    void Negotiation(byte verb, byte option);

    /// <summary>IAC SB option parameters IAC SE, the parameters unescaped.</summary>
    void Subnegotiation(byte option, ReadOnlySpan<byte> parameters);

    /// <summary>The NUL of a CR NUL was dropped: the CR before it stood alone, so an LF after it is a line of its own.</summary>
    void CarriageReturnEnded()
    {
    }
}
