using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Protocols;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// Standard input to the server: whatever one read returns (one key, in raw mode) is encoded and sent with one send,
/// at once. At end of input the sending side is shut down and the session goes on until the server closes.
/// </summary>
internal sealed class KeyboardPump(Stream input, LoginClientProtocol protocol, WireSender sender, KeystrokeClock clock, TildeEscape? escape, SessionEnding ending)
{
    private const int ReadSize = 16 * 1024;

    public void Run()
    {
        var buffer = new byte[ReadSize];
        var escaped = new ArrayBufferWriter<byte>(ReadSize);
        var wire = new ArrayBufferWriter<byte>(2 * ReadSize);
        while (true)
        {
            int read;
            try
            {
                read = input.Read(buffer);
            }
            catch (IOException)
            {
                read = 0; // a terminal hung up: the same as end of input
            }
            if (read == 0)
            {
                sender.EndTyping();
                return;
            }
            ReadOnlySpan<byte> typed = buffer.AsSpan(0, read);
            var outcome = EscapeOutcome.Continue;
            if (escape is not null)
            {
                escaped.ResetWrittenCount();
                outcome = escape.Filter(typed, escaped);
                typed = escaped.WrittenSpan;
            }
            wire.ResetWrittenCount();
            protocol.Encode(typed, wire);
            if (wire.WrittenCount > 0)
            {
                clock.Sending();
                var error = sender.Send(wire.WrittenSpan);
                if (error != SocketError.Success)
                {
                    ending.Report(SessionEnd.Lost(error));
                    return;
                }
            }
            if (outcome == EscapeOutcome.EndSession)
            {
                ending.Report(new SessionEnd(SessionEndReason.Escape));
                return;
            }
        }
    }
}
