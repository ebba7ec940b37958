using System.Buffers;
using System.Buffers.Binary;
using System.Text.Unicode;

namespace RemoteLogin.Protocols.Mux;

/// <summary>
/// Writes mux frames into a buffer writer, so that many terminals' frames gather into one buffer and go out in one
/// send. It never writes a frame <see cref="MuxReader"/> would refuse: data is cut into frames at the cap, text at
/// a character within its cap.
/// </summary>
public static class MuxWriter
{
    public static void Open(IBufferWriter<byte> output, ushort terminal, string name) => Text(output, MuxFrameType.Open, terminal, name);

    public static void Close(IBufferWriter<byte> output, ushort terminal, string reason = "") => Text(output, MuxFrameType.Close, terminal, reason);

    public static void Error(IBufferWriter<byte> output, string message) => Text(output, MuxFrameType.Error, MuxLimits.ConnectionTerminal, message);

    public static void Credit(IBufferWriter<byte> output, ushort terminal, uint bytes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bytes);
        var frame = output.GetSpan(MuxLimits.HeaderLength + sizeof(uint));
        Header(frame, MuxFrameType.Credit, terminal, sizeof(uint));
        BinaryPrimitives.WriteUInt32BigEndian(frame[MuxLimits.HeaderLength..], bytes);
        output.Advance(MuxLimits.HeaderLength + sizeof(uint));
    }

    /// <summary>One DATA frame per <see cref="MuxLimits.MaxDataPayload"/> bytes or part of it; nothing for no bytes.</summary>
    public static void Data(IBufferWriter<byte> output, ushort terminal, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int length = Math.Min(bytes.Length, MuxLimits.MaxDataPayload);
            var frame = output.GetSpan(MuxLimits.HeaderLength + length);
            Header(frame, MuxFrameType.Data, terminal, length);
            bytes[..length].CopyTo(frame[MuxLimits.HeaderLength..]);
            output.Advance(MuxLimits.HeaderLength + length);
            bytes = bytes[length..];
        }
    }

    public static void Data(IBufferWriter<byte> output, ushort terminal, in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            Data(output, terminal, segment.Span);
        }
    }

    private static void Text(IBufferWriter<byte> output, MuxFrameType type, ushort terminal, string text)
    {
        var frame = output.GetSpan(MuxLimits.HeaderLength + MuxLimits.MaxTextPayload);
        // DestinationTooSmall stops at a whole character: a cut message is still UTF-8.
        Utf8.FromUtf16(text, frame.Slice(MuxLimits.HeaderLength, MuxLimits.MaxTextPayload), out _, out int length, replaceInvalidSequences: true, isFinalBlock: true);
        Header(frame, type, terminal, length);
        output.Advance(MuxLimits.HeaderLength + length);
    }

    private static void Header(Span<byte> frame, MuxFrameType type, ushort terminal, int length)
    {
        frame[0] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(frame[1..], terminal);
        BinaryPrimitives.WriteUInt16BigEndian(frame[3..], checked((ushort)length));
    }
}
