using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace RemoteLogin.Protocols.Mux;

/// <summary>What a mux frame says (docs/protocols.md, "mux"); the values are the wire's.</summary>
public enum MuxFrameType : byte
{
    /// <summary>A terminal begins; the payload is its name (where it connected from), for the host's log.</summary>
    Open = 1,
    /// <summary>A terminal's bytes, in order, within the sender's window.</summary>
    Data = 2,
    /// <summary>The sender has no more bytes for this terminal (a half close); the payload is an optional reason.</summary>
    Close = 3,
    /// <summary>The receiver has consumed the payload's count of this terminal's bytes: the sender may send that many more.</summary>
    Credit = 4,
    /// <summary>Terminal 0: the sender found the connection broken; the payload says why, and the connection ends.</summary>
    Error = 5,
}

/// <summary>One frame as read. The payload is a slice of the reader's input, valid until that input is advanced past it.</summary>
public readonly record struct MuxFrame(MuxFrameType Type, ushort Terminal, ReadOnlySequence<byte> Payload)
{
    /// <summary>A <see cref="MuxFrameType.Credit"/> frame's grant.</summary>
    public uint Credit
    {
        get
        {
            Span<byte> bytes = stackalloc byte[sizeof(uint)];
            Payload.Slice(0, sizeof(uint)).CopyTo(bytes);
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
    }

    /// <summary>An <see cref="MuxFrameType.Open"/> frame's name, a close's reason or an error's message.</summary>
    public string Text => Encoding.UTF8.GetString(Payload);
}
