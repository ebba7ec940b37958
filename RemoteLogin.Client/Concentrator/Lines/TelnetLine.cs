using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Protocols.Telnet;
using RemoteLogin.Vocabulary;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Client.Concentrator.Lines;

/// <summary>
/// A telnet terminal (RFC 854), answered as the daemon answers one (<see cref="TelnetOffer"/>: remote echo,
/// character at a time), with the echo left to the host. The host gets the terminal's data, IAC IAC and CR NUL
/// undone; negotiations and AYT are answered here, every other command dropped, as a terminal server does. The
/// terminal gets the host's bytes as NVT data: IAC doubled, and a CR not followed by LF sent as CR NUL.
/// </summary>
internal sealed class TelnetLine : ILineProtocol
{
    public static TelnetLine Instance { get; } = new();

    public WireProtocol Name => WireProtocol.Telnet;

    public async ValueTask<LineOpening> OpenAsync(Socket terminal, CancellationToken deadline)
    {
        await terminal.SendAsync(TelnetOffer.Greeting, SocketFlags.None, deadline);
        return LineOpening.Done;
    }

    public ILineCodec NewCodec() => new Codec();

    private sealed class Codec : ILineCodec, ITelnetSink
    {
        private static readonly SearchValues<byte> FromTerminalSpecial = SearchValues.Create([Iac, Cr]);
        private static readonly SearchValues<byte> ToTerminalSpecial = SearchValues.Create([Iac, Cr]);
        private static readonly byte[] EscapedIac = [Iac, Iac];
        private static readonly byte[] CrNul = [Cr, Nul];
        private static readonly byte[] LoneCr = [Cr];
        private static readonly byte[] OwedNul = [Nul];
        private static readonly byte[] StillHere = "\r\n[yes]\r\n"u8.ToArray();

        private readonly TelnetReader _reader = new();
        private readonly OptionNegotiator _negotiator = TelnetOffer.Made();
        private IBufferWriter<byte>? _toHost;
        private IBufferWriter<byte>? _toTerminal;
        private bool _crSent; // the host's last byte was a CR, sent alone: a NUL is owed unless an LF comes next

        public Decoded FromTerminal(ReadOnlySpan<byte> received, IBufferWriter<byte> toHost, IBufferWriter<byte> toTerminal)
        {
            // A CR might start a CR NUL whose NUL the host must not get: only a read without IAC or CR is the host's as it is.
            if (_reader.AtPlainData && !received.ContainsAny(FromTerminalSpecial))
            {
                return Decoded.Received;
            }
            (_toHost, _toTerminal) = (toHost, toTerminal);
            var status = _reader.Read(received, this);
            (_toHost, _toTerminal) = (null, null);
            return status == TelnetReadStatus.Ok
                ? Decoded.Written
                : Decoded.Broken($"telnet: subnegotiation longer than {TelnetReader.DefaultMaxSubnegotiationBytes} bytes");
        }

        public void Finish(IBufferWriter<byte> toHost)
        {
            // A command cut short by the end of the stream means nothing; data is never held back.
        }

        public int Held => 0; // a CR waiting for its NUL is handed on already

        public void ToTerminal(ReadOnlySpan<byte> fromHost, IBufferWriter<byte> toTerminal)
        {
            if (_crSent && !fromHost.IsEmpty)
            {
                _crSent = false;
                if (fromHost[0] != Lf)
                {
                    toTerminal.Write(OwedNul);
                }
            }
            while (!fromHost.IsEmpty)
            {
                int special = fromHost.IndexOfAny(ToTerminalSpecial);
                if (special < 0)
                {
                    toTerminal.Write(fromHost);
                    return;
                }
                toTerminal.Write(fromHost[..special]);
                if (fromHost[special] == Iac)
                {
                    toTerminal.Write(EscapedIac);
                }
                else if (special + 1 == fromHost.Length)
                {
                    toTerminal.Write(LoneCr); // its NUL, if owed, goes with the host's next bytes: nothing waits
                    _crSent = true;
                }
                else
                {
                    toTerminal.Write(fromHost[special + 1] == Lf ? LoneCr : CrNul);
                }
                fromHost = fromHost[(special + 1)..];
            }
        }

        void ITelnetSink.Data(ReadOnlySpan<byte> data) => _toHost!.Write(data);

        void ITelnetSink.Command(byte command)
        {
            if (command == AreYouThere)
            {
                _toTerminal!.Write(StillHere);
            }
        }

        void ITelnetSink.Negotiation(byte verb, byte option) => _negotiator.Receive(verb, option, _toTerminal!);

        void ITelnetSink.Subnegotiation(byte option, ReadOnlySpan<byte> parameters)
        {
            // Only a refused option could send one: there is nothing to act on.
        }
    }
}
