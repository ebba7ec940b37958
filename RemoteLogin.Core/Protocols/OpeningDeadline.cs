using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace RemoteLogin.Protocols;

/// <summary>
/// Blocking receives that share one deadline, for a protocol's opening: a server that trickles bytes cannot stretch
/// the opening past its timeout, which a per-receive timeout would allow.
/// </summary>
public sealed class OpeningDeadline(Socket socket, TimeSpan timeout, string protocol)
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// At least one byte, or a <see cref="LoginProtocolException"/> that says what the server did not do in time
    /// (<paramref name="awaited"/>, e.g. "did not answer the handshake") or during what it closed (<paramref name="stage"/>).
    /// </summary>
    public int Receive(Span<byte> buffer, string awaited, string stage) => TryReceive(buffer) switch
    {
        null => throw new LoginProtocolException(
            $"{protocol}: the server {awaited} within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (is it speaking {protocol}?)"),
        0 => throw new LoginProtocolException($"{protocol}: the server closed the connection during {stage}"),
        int received => received,
    };

    /// <summary>Bytes received (0: the server closed), or null when the deadline passed first.</summary>
    public int? TryReceive(Span<byte> buffer)
    {
        long left = _deadline - Stopwatch.GetTimestamp();
        if (left <= 0)
        {
            return null;
        }
        long micros = Math.Min(int.MaxValue, left * 1_000_000 / Stopwatch.Frequency);
        try
        {
            if (!socket.Poll((int)Math.Max(1, micros), SelectMode.SelectRead))
            {
                return null;
            }
            return socket.Receive(buffer, SocketFlags.None);
        }
        catch (SocketException e)
        {
            throw new LoginProtocolException($"{protocol}: the connection broke during the opening: {e.Message}", e);
        }
    }

    public void Send(ReadOnlySpan<byte> bytes)
    {
        try
        {
            socket.Send(bytes, SocketFlags.None);
        }
        catch (SocketException e)
        {
            throw new LoginProtocolException($"{protocol}: the connection broke during the opening: {e.Message}", e);
        }
    }
}
