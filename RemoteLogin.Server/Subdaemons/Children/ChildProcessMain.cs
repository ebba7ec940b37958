using System.Net.Sockets;
using RemoteLogin.Native;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Vocabulary;
using RemoteLogin.Server.Native;
using RemoteLogin.Server.Protocols;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>
/// The child's side of the process and relay models (<c>RemoteLogin.Server subdaemon</c>): take the socket the daemon
/// hands over, echo it with blocking calls as a forked login subdaemon would, report to the daemon, exit when the session ends.
/// The child cannot tell the two models apart: under relay its socket leads to the daemon, not to the client.
/// </summary>
public sealed class ChildProcessMain
{
    private readonly Socket _control;
    private readonly Socket _session;
    private readonly EchoTally _tally = new();
    private readonly Lock _writing = new();
    private ResourceUsage.Sample _metering;

    private ChildProcessMain(Socket control, Socket session)
    {
        _control = control;
        _session = session;
    }

    public static int Run(string controlName, BufferStrategy echo, ILoginProtocol protocol)
    {
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
            Console.Error.WriteLine($"subdaemon: the daemon did not hand over a session: {e.Message}");
            return 1;
        }
        using var _ = handle;
        if (message != (byte)ControlRequest.HandOver || ReadRequest(control) != ControlRequest.Go)
        {
            Console.Error.WriteLine("subdaemon: the daemon did not hand over a session");
            return 1;
        }
        using var session = new Socket(handle);
        session.Blocking = true;
        var child = new ChildProcessMain(control, session);
        new Thread(child.ServeControl) { IsBackground = true, Name = "control" }.Start();
        SessionSocket.Report(session, new EchoSessions(echo, protocol, child._tally).For(session).Run());
        SessionSocket.Close(session);
        child.SendReport(metering: null); // the last word: the daemon reads it after this process is gone
        return 0;
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
                    SessionSocket.ShutdownQuietly(_session, SocketShutdown.Receive);
                    break;
                case null:
                    SessionSocket.ShutdownQuietly(_session, SocketShutdown.Both);
                    return;
            }
        }
    }

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
