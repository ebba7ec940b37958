using System.Buffers;

namespace RemoteLogin.Protocols.Telnet;

/// <summary>
/// Telnet option negotiation by RFC 1143's Q method: each option has a state for each side and a one-deep queue,
/// so a request is answered at most once and a peer that keeps asking can never start a negotiation loop.
/// "Us" is this end's WILL/WONT (the peer asks with DO/DONT); "him" is the peer's WILL/WONT (this end asks with DO/DONT).
/// </summary>
public sealed class OptionNegotiator(Func<byte, bool> acceptUs, Func<byte, bool> acceptHim)
{
    public enum Side : byte
    {
        No,
        Yes,
        WantNo,
        WantYes,
    }

    private readonly Side[] _us = new Side[256];
    private readonly Side[] _him = new Side[256];
    private readonly bool[] _usOpposite = new bool[256];
    private readonly bool[] _himOpposite = new bool[256];

    public Side Us(byte option) => _us[option];

    public Side Him(byte option) => _him[option];

    /// <summary>Ask to enable an option on this end (send WILL), as the Q method allows.</summary>
    public void EnableUs(byte option, IBufferWriter<byte> output) =>
        Enable(_us, _usOpposite, option, TelnetCodes.Will, output);

    /// <summary>Ask the peer to enable an option (send DO), as the Q method allows.</summary>
    public void EnableHim(byte option, IBufferWriter<byte> output) =>
        Enable(_him, _himOpposite, option, TelnetCodes.Do, output);

    /// <summary>Answer one negotiation from the peer; writes at most one reply.</summary>
    public void Receive(byte verb, byte option, IBufferWriter<byte> output)
    {
        switch (verb)
        {
            case TelnetCodes.Will:
                ReceiveEnable(_him, _himOpposite, option, acceptHim, TelnetCodes.Do, TelnetCodes.Dont, output);
                break;
            case TelnetCodes.Wont:
                ReceiveDisable(_him, _himOpposite, option, TelnetCodes.Do, TelnetCodes.Dont, output);
                break;
            case TelnetCodes.Do:
                ReceiveEnable(_us, _usOpposite, option, acceptUs, TelnetCodes.Will, TelnetCodes.Wont, output);
                break;
            case TelnetCodes.Dont:
                ReceiveDisable(_us, _usOpposite, option, TelnetCodes.Will, TelnetCodes.Wont, output);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(verb), verb, "not a negotiation verb");
        }
    }

    public static void Write(IBufferWriter<byte> output, byte verb, byte option)
    {
        var span = output.GetSpan(3);
        span[0] = TelnetCodes.Iac;
        span[1] = verb;
        span[2] = option;
        output.Advance(3);
    }

    private static void Enable(Side[] side, bool[] opposite, byte option, byte enable, IBufferWriter<byte> output)
    {
        switch (side[option])
        {
            case Side.No:
                side[option] = Side.WantYes;
                Write(output, enable, option);
                break;
            case Side.WantNo:
                opposite[option] = true; // ask again once the pending disable is answered
                break;
            case Side.WantYes:
                opposite[option] = false;
                break;
        }
    }

    private static void ReceiveEnable(Side[] side, bool[] opposite, byte option, Func<byte, bool> accept, byte yes, byte no, IBufferWriter<byte> output)
    {
        switch (side[option])
        {
            case Side.No:
                if (accept(option))
                {
                    side[option] = Side.Yes;
                    Write(output, yes, option);
                }
                else
                {
                    Write(output, no, option);
                }
                break;
            case Side.WantNo when opposite[option]:
                side[option] = Side.Yes;
                opposite[option] = false;
                break;
            case Side.WantNo:
                side[option] = Side.No; // a disable answered by an enable: the peer is wrong, and stays refused
                break;
            case Side.WantYes when opposite[option]:
                side[option] = Side.WantNo;
                opposite[option] = false;
                Write(output, no, option);
                break;
            case Side.WantYes:
                side[option] = Side.Yes;
                break;
        }
    }

    private static void ReceiveDisable(Side[] side, bool[] opposite, byte option, byte yes, byte no, IBufferWriter<byte> output)
    {
        switch (side[option])
        {
            case Side.Yes:
                side[option] = Side.No;
                Write(output, no, option);
                break;
            case Side.WantNo when opposite[option]:
                side[option] = Side.WantYes;
                opposite[option] = false;
                Write(output, yes, option);
                break;
            case Side.WantNo:
            case Side.WantYes:
                side[option] = Side.No;
                opposite[option] = false;
                break;
        }
    }
}
