using System.Buffers;
using RemoteLogin.Protocols.Telnet;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Server.Protocols.Telnet;

/// <summary>
/// The echo of a telnet session. Data goes back as a terminal's line discipline would show it: a newline typed as
/// CR NUL, CR LF, or a lone CR or LF comes back as CR LF, and IAC as IAC IAC. Negotiations are answered by the Q
/// method under <see cref="TelnetOffer"/>'s policy: anything but ECHO and SGA, NEW-ENVIRON and every option a login
/// might trust included, is refused, and subnegotiations are read (up to a cap) and ignored.
/// A read without IAC, CR or LF, after a read that ended cleanly, goes back as it came: the fast path.
/// </summary>
internal sealed class TelnetEchoFraming : IEchoFraming, ITelnetSink
{
    private static readonly SearchValues<byte> NotPlain = SearchValues.Create([Iac, Cr, Lf]);
    private static readonly byte[] Newline = [Cr, Lf];
    private static readonly byte[] EscapedIac = [Iac, Iac];
    private static readonly byte[] StillHere = "\r\n[yes]\r\n"u8.ToArray();

    private readonly TelnetReader _reader = new();
    private readonly OptionNegotiator _negotiator = TelnetOffer.Made();
    private IBufferWriter<byte>? _echo;
    private bool _afterCr; // the last byte was a data CR: an LF right after it is the same newline

    public bool InspectsData => true;

    public Framed Frame(ReadOnlySpan<byte> received, IBufferWriter<byte> echo)
    {
        if (_reader.AtPlainData && !_afterCr && !received.ContainsAny(NotPlain))
        {
            return Framed.Received;
        }
        _echo = echo;
        var status = _reader.Read(received, this);
        _echo = null;
        return status == TelnetReadStatus.Ok
            ? Framed.Written
            : Framed.Broken($"telnet: subnegotiation longer than {TelnetReader.DefaultMaxSubnegotiationBytes} bytes");
    }

    public void Finish(IBufferWriter<byte> echo)
    {
        // A command cut short by the end of the stream has no echo; data is never held back.
    }

    void ITelnetSink.Data(ReadOnlySpan<byte> data)
    {
        var echo = _echo!;
        while (!data.IsEmpty)
        {
            int special = data.IndexOfAny(NotPlain);
            if (special < 0)
            {
                echo.Write(data);
                _afterCr = false;
                return;
            }
            echo.Write(data[..special]);
            byte b = data[special];
            if (b == Iac)
            {
                echo.Write(EscapedIac);
            }
            else if (b == Cr || special > 0 || !_afterCr)
            {
                echo.Write(Newline); // a CR, or an LF that does not end a CR LF
            }
            _afterCr = b == Cr;
            data = data[(special + 1)..];
        }
    }

    /// <summary>AYT asks for visible evidence that the daemon is there (RFC 854); NOP, GA, BRK and the like ask nothing of an echo.</summary>
    void ITelnetSink.Command(byte command)
    {
        _afterCr = false;
        if (command == AreYouThere)
        {
            _echo!.Write(StillHere);
        }
    }

    void ITelnetSink.Negotiation(byte verb, byte option)
    {
        _afterCr = false;
        _negotiator.Receive(verb, option, _echo!);
    }

    void ITelnetSink.CarriageReturnEnded() => _afterCr = false;

    void ITelnetSink.Subnegotiation(byte option, ReadOnlySpan<byte> parameters)
    {
        // Only a refused option could send one: there is nothing to act on.
    }
}
