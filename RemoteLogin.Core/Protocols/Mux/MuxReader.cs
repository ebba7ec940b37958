using System.Buffers;
using System.Buffers.Binary;

namespace RemoteLogin.Protocols.Mux;

/// <summary>What one attempt to read a frame found.</summary>
public enum MuxReadStatus
{
    /// <summary>A whole, well-formed frame.</summary>
    Frame,
    /// <summary>The input ends inside a frame's header or payload: read more and try again.</summary>
    NeedMore,
    UnknownType,
    /// <summary>The header announces more payload than the type allows: refused at the header, before any payload is waited for.</summary>
    Oversize,
    /// <summary>A DATA frame without bytes, or a CREDIT frame that is not four bytes granting at least one.</summary>
    BadPayload,
    /// <summary>A terminal's frame naming terminal 0, or an ERROR naming a terminal.</summary>
    BadTerminal,
}

/// <summary>A read's outcome: the frame, or why there is none, with what the header said for the message.</summary>
public readonly record struct MuxRead(MuxReadStatus Status, MuxFrame Frame, byte Type, ushort Terminal, int Length)
{
    public bool IsMalformed => Status is not (MuxReadStatus.Frame or MuxReadStatus.NeedMore);

    /// <summary>One line for a log and for the ERROR frame sent back.</summary>
    public string Problem => Status switch
    {
        MuxReadStatus.UnknownType => $"frame type {Type} on terminal {Terminal} is none of OPEN (1), DATA (2), CLOSE (3), CREDIT (4), ERROR (5)",
        MuxReadStatus.Oversize => $"{Name} frame on terminal {Terminal} announces {Length} bytes, over its cap of {MuxReader.MaxPayload((MuxFrameType)Type)}",
        MuxReadStatus.BadPayload when Type == (byte)MuxFrameType.Data => $"empty DATA frame on terminal {Terminal}",
        MuxReadStatus.BadPayload => $"CREDIT frame on terminal {Terminal} must grant a count of at least 1 in 4 bytes ({Length} bytes)",
        MuxReadStatus.BadTerminal when Type == (byte)MuxFrameType.Error => $"ERROR frame names terminal {Terminal}; ERROR is the connection's, terminal 0",
        MuxReadStatus.BadTerminal => $"{Name} frame names terminal 0, which is the connection's",
        _ => Status.ToString(),
    };

    private string Name => ((MuxFrameType)Type).ToString().ToUpperInvariant();
}

/// <summary>
/// Reads mux frames from input that arrives in pieces split anywhere (a header may straddle two reads or two
/// segments); the result is the same as for the input read whole. It checks each frame's shape; what a frame means
/// for its terminal (an OPEN twice, DATA past the window) is the connection's to judge.
/// </summary>
public static class MuxReader
{
    /// <summary>
    /// Reads the frame at the start of <paramref name="input"/>. On <see cref="MuxReadStatus.Frame"/> the input is
    /// advanced past it and the frame's payload is a slice of what it was; on anything else it is left as it was.
    /// </summary>
    public static MuxRead TryRead(ref ReadOnlySequence<byte> input)
    {
        if (input.Length < MuxLimits.HeaderLength)
        {
            return default(MuxRead) with { Status = MuxReadStatus.NeedMore };
        }
        Span<byte> header = stackalloc byte[MuxLimits.HeaderLength];
        input.Slice(0, MuxLimits.HeaderLength).CopyTo(header);
        byte type = header[0];
        ushort terminal = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        var status = Check(type, terminal, length);
        if (status != MuxReadStatus.Frame)
        {
            return new MuxRead(status, default, type, terminal, length);
        }
        if (input.Length < MuxLimits.HeaderLength + length)
        {
            return new MuxRead(MuxReadStatus.NeedMore, default, type, terminal, length);
        }
        var payload = input.Slice(MuxLimits.HeaderLength, length);
        if (type == (byte)MuxFrameType.Credit && new MuxFrame(MuxFrameType.Credit, terminal, payload).Credit == 0)
        {
            return new MuxRead(MuxReadStatus.BadPayload, default, type, terminal, length);
        }
        input = input.Slice(payload.End);
        return new MuxRead(MuxReadStatus.Frame, new MuxFrame((MuxFrameType)type, terminal, payload), type, terminal, length);
    }

    public static int MaxPayload(MuxFrameType type) => type switch
    {
        MuxFrameType.Data => MuxLimits.MaxDataPayload,
        MuxFrameType.Credit => sizeof(uint),
        _ => MuxLimits.MaxTextPayload,
    };

    /// <summary>Everything the header alone can tell: a hostile length is refused before its payload is waited for.</summary>
    private static MuxReadStatus Check(byte type, ushort terminal, int length)
    {
        if (type is < (byte)MuxFrameType.Open or > (byte)MuxFrameType.Error)
        {
            return MuxReadStatus.UnknownType;
        }
        var frameType = (MuxFrameType)type;
        if (length > MaxPayload(frameType))
        {
            return MuxReadStatus.Oversize;
        }
        if ((frameType == MuxFrameType.Error) != (terminal == MuxLimits.ConnectionTerminal))
        {
            return MuxReadStatus.BadTerminal;
        }
        return frameType switch
        {
            MuxFrameType.Data when length == 0 => MuxReadStatus.BadPayload,
            MuxFrameType.Credit when length != sizeof(uint) => MuxReadStatus.BadPayload,
            _ => MuxReadStatus.Frame,
        };
    }
}
