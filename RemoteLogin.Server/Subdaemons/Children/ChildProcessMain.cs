using System.Net;
using System.Net.Sockets;
using RemoteLogin.Native;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>
/// The child's side of the process and relay models (<c>RemoteLogin.Server subdaemon</c>): take the socket the daemon
/// hands over, echo it with blocking calls as a forked login subdaemon would, report to the daemon, exit when the session ends.
/// The child cannot tell the two models apart: under relay its socket leads to the daemon, not to the client. Its
/// session is made by the same <see cref="EchoSessions"/> as the daemon's own, from the strategy and protocol the
/// daemon named on its command line (<see cref="ChildCommand"/>), and ends with the same event a daemon's would.
/// </summary>
internal sealed class ChildProcessMain
{
    private readonly Socket _control;
    private readonly Socket _session;
    private readonly EchoTally _tally;
    private readonly EchoSession _echo;
    private readonly Lock _writing = new();
    private ResourceUsage.Sample _metering;

    private ChildProcessMain(Socket control, Socket session, EchoSessions sessions, EchoTally tally)
    {
        _control = control;
        _session = session;
        _tally = tally;
        _echo = sessions.For(session);
    }

    public static int Run(string controlName, BufferStrategy strategy, WireProtocol protocol, TimeSpan idleTimeout, bool warm = false)
    {
        IDaemonEvents events = DaemonLog.StandardError;
        if (warm)
        {
            Warm(strategy, protocol);
        }
        using var control = UnixSockets.NewSocket();
        control.Connect(UnixSockets.EndPoint(controlName));
        SafeSocketHandle handle;
        byte message;
        try
        {
            handle = DescriptorPassing.Receive(control, out message);
        }
        catch (Exception e) when (e is SocketException or EndOfStreamException or InvalidDataException)
        {
            events.Raise(new NoSessionHandedOver(e.Message));
            return 1;
        }
        using var _ = handle;
        var go = message == (byte)ControlRequest.HandOver ? ReadRequest(control) : null;
        if (go != ControlRequest.Go)
        {
            events.Raise(new NoSessionHandedOver(
                message != (byte)ControlRequest.HandOver ? $"it sent '{(char)message}' first"
                : go is { } other ? $"it sent '{(char)other}' instead of go" : "it went away before saying go"));
            return 1;
        }
        using var session = new Socket(handle);
        var peer = PeerOf(session);
        var tally = new EchoTally();
        var child = new ChildProcessMain(control, session, new EchoSessions(strategy, LoginProtocols.For(protocol), tally, events: events), tally);
        new Thread(child.ServeControl) { IsBackground = true, Name = "control" }.Start();
        using var idle = IdleWatch.Start(session, idleTimeout, () =>
        {
            events.Raise(new SessionIdle(peer, idleTimeout));
            child.Drain();
        });
        var end = child._echo.Run();
        events.Raise(new SessionEnded(peer, SessionEnd.Of(end)));
        if (!SessionSocket.CloseAsync(session).GetAwaiter().GetResult())
        {
            events.Raise(new LingerExpired(peer, SessionSocket.Linger));
        }
        child.SendReport(metering: null); // the last word: the daemon reads it after this process is gone
        return 0;
    }

    /// <summary>
    /// A preforked child's first echo, over a private pair and counted nowhere, before it tells the daemon it is ready:
    /// the session it is handed next finds its echo path compiled, so its login costs what a thread login costs.
    /// </summary>
    private static void Warm(BufferStrategy strategy, WireProtocol protocol)
    {
        var (typist, served) = UnixSockets.PairAsync().GetAwaiter().GetResult();
        using (typist)
        using (served)
        {
            var echo = new EchoSessions(strategy, LoginProtocols.For(protocol), new EchoTally()).For(served);
            var echoing = new Thread(() => echo.Run()) { IsBackground = true, Name = "warm-up" };
            echoing.Start();
            var typed = "warm-up\r\n"u8.ToArray();
            var echoed = new byte[64];
            for (int round = 0; round < 3; round++)
            {
                typist.Send(typed);
                for (int got = 0; got < typed.Length;)
                {
                    int n = typist.Receive(echoed);
                    if (n == 0)
                    {
                        return;
                    }
                    got += n;
                }
            }
            typist.Shutdown(SocketShutdown.Send);
            echoing.Join(); // the echo ends at the end of its input; closing its socket is left to the using
        }
    }

    /// <summary>Who the session is with, read while the connection is whole: a peer that reset has no address left to read.</summary>
    private static EndPoint? PeerOf(Socket session)
    {
        try
        {
            return session.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Answers the daemon until it goes away; a daemon that goes away ends the session, so no child outlives it.</summary>
    private void ServeControl()
    {
        while (true)
        {
            switch (ReadRequest(_control))
            {
                case ControlRequest.Report:
                    SendReport(ResourceUsage.ReadThisThread());
                    break;
                case ControlRequest.Drain:
                    Drain();
                    break;
                case null:
                    SessionSocket.ShutdownQuietly(_session, SocketShutdown.Both);
                    return;
            }
        }
    }

    /// <summary>Stop reading the client; what was received is still echoed, then the session ends.</summary>
    private void Drain() => _echo.StopReading();

    /// <param name="metering">The control thread's own usage so far, when it is the control thread that reports.</param>
    private void SendReport(ResourceUsage.Sample? metering)
    {
        Span<byte> report = stackalloc byte[ChildReport.Size];
        lock (_writing)
        {
            _metering = metering ?? _metering;
            ChildReport.Capture(_metering, _tally).Write(report);
            try
            {
                _control.Send(report);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The daemon is gone (the control thread ends the session), or this process is exiting.
            }
        }
    }

    /// <summary>The next request, or null once the daemon has closed the channel.</summary>
    private static ControlRequest? ReadRequest(Socket control)
    {
        Span<byte> request = stackalloc byte[1];
        try
        {
            return control.Receive(request) == 1 ? (ControlRequest)request[0] : null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
