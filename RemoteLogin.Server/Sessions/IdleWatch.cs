using System.Net.Sockets;

namespace RemoteLogin.Server.Sessions;

/// <summary>
/// --idle-timeout: a session whose client has sent nothing for that long is told to end. The kernel keeps the time
/// since the last data segment arrived (tcp_info's tcpi_last_data_recv), so the watch reads it now and then and
/// costs the echo nothing; it works whatever drives the socket (a blocking thread, epoll, a relay), and in a child.
/// </summary>
internal sealed class IdleWatch : IDisposable
{
    private const int IPPROTO_TCP = 6, TCP_INFO = 11;
    private const int LastDataReceivedOffset = 52; // struct tcp_info: 8 bytes of u8 fields, 11 u32 before tcpi_last_data_recv
    private const int TcpInfoBytes = 104;

    private readonly Socket _socket;
    private readonly TimeSpan _limit;
    private readonly Action _idle;
    private readonly Timer _timer;
    private int _fired;

    private IdleWatch(Socket socket, TimeSpan limit, Action idle)
    {
        _socket = socket;
        _limit = limit;
        _idle = idle;
        // A quarter of the limit: the session ends at most a quarter late, and a long limit costs few wake-ups.
        var period = TimeSpan.FromTicks(Math.Clamp(limit.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));
        _timer = new Timer(_ => Check(), null, period, period);
    }

    /// <summary>Watch <paramref name="socket"/>; null when <paramref name="limit"/> is zero (off).</summary>
    public static IdleWatch? Start(Socket socket, TimeSpan limit, Action idle) => limit > TimeSpan.Zero ? new IdleWatch(socket, limit, idle) : null;

    /// <summary>How long the peer has sent no data, as the kernel counts it; null once the socket is gone.</summary>
    public static TimeSpan? SinceLastData(Socket socket)
    {
        Span<byte> info = stackalloc byte[TcpInfoBytes];
        try
        {
            int length = socket.GetRawSocketOption(IPPROTO_TCP, TCP_INFO, info);
            return length >= LastDataReceivedOffset + 4
                ? TimeSpan.FromMilliseconds(BitConverter.ToUInt32(info[LastDataReceivedOffset..]))
                : null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        var since = SinceLastData(_socket);
        if (since is null)
        {
            Dispose(); // the session is over, or its socket has gone to a child that watches it itself
        }
        else if (since >= _limit && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            Dispose();
            _idle();
        }
    }
}
