using System.Net;
using System.Net.Sockets;
using RemoteLogin.Bench.Matrix;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Tests.Support;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.BadInput;

/// <summary>The misbehaving end of a bad-input test: raw bytes out, whatever comes back read alongside, until the daemon closes.</summary>
internal sealed class BadSession : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _received = [];
    private readonly Task _reading;

    private BadSession(Socket socket)
    {
        _socket = socket;
        _reading = Task.Run(ReadToCloseAsync);
    }

    public static async Task<BadSession> ConnectAsync(IPEndPoint daemon)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(daemon);
        return new BadSession(socket);
    }

    /// <summary>True once the daemon closed the connection (a FIN or a reset).</summary>
    public bool Closed => _reading.IsCompleted;

    /// <summary>Everything received so far.</summary>
    public byte[] Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary>Sends <paramref name="bytes"/>; false when the daemon had closed the connection and the send failed.</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var limit = new CancellationTokenSource(Eventually.Generous);
            await _socket.SendAsync(bytes, SocketFlags.None, limit.Token);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            return false;
        }
    }

    /// <summary>Waits until what was received ends with <paramref name="tail"/>, and returns all of it.</summary>
    public async Task<byte[]> ReceiveThroughAsync(byte[] tail)
    {
        await Eventually.AssertAsync(() => Received.AsSpan().EndsWith(tail) || Closed, "the echo of the session's last bytes");
        var received = Received;
        Assert.True(received.AsSpan().EndsWith(tail), $"the daemon closed the session after {received.Length} bytes, before echoing its last ones");
        return received;
    }

    /// <summary>Fails unless the daemon closes the connection.</summary>
    public async Task AssertClosedByDaemonAsync() =>
        await Eventually.AssertAsync(() => Closed, "the daemon closed the bad session");

    public void Dispose()
    {
        _socket.Dispose();
        _reading.Wait(Eventually.Generous);
    }

    private async Task ReadToCloseAsync()
    {
        var buffer = new byte[65536];
        while (true)
        {
            int count;
            try
            {
                count = await _socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // a reset, or disposed by the test
            }
            if (count == 0)
            {
                return;
            }
            lock (_received)
            {
                _received.AddRange(buffer.AsSpan(0, count));
            }
        }
    }

    /// <summary>The daemon is still running (it never crashed), stops on SIGTERM with exit code 0, and logged nothing but its events; returns them.</summary>
    internal static IReadOnlyList<DaemonEvent> StopCleanly(DaemonProcess daemon, ITestOutputHelper output)
    {
        Assert.False(daemon.HasExited, "the daemon exited by itself");
        Assert.Equal(0, daemon.Stop(Eventually.Generous));
        var events = LoggedEvents.Of(daemon, output);
        LoggedEvents.AssertNoneFailed(events);
        return events;
    }
}
