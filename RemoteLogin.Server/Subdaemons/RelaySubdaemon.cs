using System.Buffers;
using System.Net.Sockets;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Server.Subdaemons.Children;
using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Subdaemons;

/// <summary>
/// Each session gets a child process, but the daemon keeps the connection and copies every byte to the child and
/// back over a Unix socket pair: the seed's "daemon passes the packet to the subdaemon". The extra copies, system
/// calls and context switches are what this model is for, so the relay is a plain copy loop and stays one.
/// </summary>
internal sealed class RelaySubdaemon(ChildLaunch launch, IEchoMeter meter) : ISubdaemon
{
    private const int RelayBufferBytes = 16 * 1024;

    public async Task<SessionEnd> ServeAsync(Socket connection, SessionControl control)
    {
        // A drain (control.Stopping) ends the copy to the child, which then echoes what it got and ends in turn.
        var (toChild, childEnd) = await UnixSockets.PairAsync();
        using (toChild)
        using (childEnd)
        {
            return await launch.ServeAsync(connection, childEnd, control, _ => RelayAsync(connection, toChild, control.Aborted, control.Stopping));
        }
    }

    private async Task<EchoEnd> RelayAsync(Socket client, Socket toChild, CancellationToken abort, CancellationToken drain)
    {
        using var childGone = CancellationTokenSource.CreateLinkedTokenSource(abort);
        // Each direction is a receive into the daemon's memory and a send out of it: the client's bytes count once
        // each way, the copies twice.
        var upstream = CopyAsync(client, toChild, meter.Received, meter.PassedOn, childGone.Token, stopReceiving: drain);
        // The child's side ends when its echo is done or when it dies; either way nothing more will come back.
        bool downstreamEnded = await CopyAsync(toChild, client, meter.PassedBack, meter.Echoed, abort);
        childGone.Cancel();
        bool upstreamEnded = await upstream;
        return downstreamEnded && upstreamEnded ? EchoEnd.Completed : new EchoEnd(EchoEndKind.ConnectionLost);
    }

    /// <summary>
    /// Copy until <paramref name="from"/> ends or <paramref name="stopReceiving"/> comes (what the peer sends after it stays
    /// in the kernel), then pass the end on; false if a broken side ended the copy instead.
    /// </summary>
    private static async Task<bool> CopyAsync(Socket from, Socket to, Action<int> received, Action<int> sent, CancellationToken cancellationToken, CancellationToken stopReceiving = default)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(RelayBufferBytes);
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopReceiving);
        try
        {
            int bytes;
            while ((bytes = await ReceiveAsync(from, buffer, receiving.Token, stopReceiving, cancellationToken)) > 0)
            {
                received(bytes);
                await to.SendAsync(buffer.AsMemory(0, bytes), SocketFlags.None, cancellationToken);
                sent(bytes);
            }
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false; // the session is over on that side; the other copy sees it end in turn
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            SessionSocket.ShutdownQuietly(to, SocketShutdown.Send);
        }
    }

    /// <summary>A receive that a stop ends as the end of the stream: a cancelled receive took nothing from the kernel.</summary>
    private static async ValueTask<int> ReceiveAsync(Socket from, byte[] buffer, CancellationToken either, CancellationToken stopReceiving, CancellationToken cancellationToken)
    {
        try
        {
            return await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, either);
        }
        catch (OperationCanceledException) when (stopReceiving.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }
}
