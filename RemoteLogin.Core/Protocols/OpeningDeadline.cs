using System.Diagnostics;
using System.Net.Sockets;

namespace RemoteLogin.Protocols;

/// <summary>
/// Blocking receives that share one deadline, for a protocol's opening: a server that trickles bytes cannot stretch
/// the opening past its timeout, which a per-receive timeout would allow.
/// </summary>
public sealed class OpeningDeadline(Socket socket, TimeSpan timeout, string protocol)
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public TimeSpan Timeout => timeout;

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
