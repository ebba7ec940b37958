using System.Buffers;
using System.Net;
using System.Net.Sockets;
using RemoteLogin.Client.Native;
using RemoteLogin.Protocols;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// One interactive login: connect, open the protocol, raw terminal, a thread typing and one showing, and on the way
/// out the terminal restored and the keystroke round trips printed.
/// </summary>
internal sealed class ConnectSession(ConnectOptions options)
{
    public const int Failed = 1;

    /// <summary>Bounds the wait for the receiving thread after the socket is shut down, which ends it at once normally.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private string Target => $"{options.Host}:{options.Port}";

    public int Run()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connectFailure = Connect(socket);
        if (connectFailure is not null)
        {
            StandardStreams.ErrorLine($"connect: {connectFailure}");
            return Failed;
        }
        var protocol = LoginClientProtocol.For(options.Protocol);
        try
        {
            protocol.Open(socket, options.OpenTimeout);
        }
        catch (LoginProtocolException e)
        {
            StandardStreams.ErrorLine(e.Message);
            return Failed;
        }

        var ending = new SessionEnding();
        var sender = new WireSender(socket);
        var clock = new KeystrokeClock();
        SessionEnd end;
        bool interactive;
        using (var terminal = RawTerminal.TryEnter())
        {
            using var signals = new SessionSignals(ending, () => Resized(protocol, sender));
            if (terminal is not null)
            {
                // After raw mode: a key typed from here on is never echoed by the terminal as well. CR LF: output
                // processing is off.
                StandardStreams.ErrorLine($"connected to {Target} ({options.Protocol.Name()}); ~. at the start of a line ends the session\r");
            }
            interactive = terminal is not null;
            var server = new ServerPump(socket, StandardStreams.Output, protocol, sender, clock, CurrentSize, ending);
            var keyboard = new KeyboardPump(StandardStreams.Input, protocol, sender, clock, terminal is null ? null : new TildeEscape(), ending);
            var receiving = StartThread(server.Run, "connect: server");
            // Background: a read of a terminal cannot be interrupted, and must not keep the process alive.
            StartThread(keyboard.Run, "connect: keyboard");
            end = ending.Wait();
            ShutDown(socket);
            receiving.Join(DrainLimit);
        }
        if (interactive)
        {
            StandardStreams.ErrorLine(""); // the last echo may have left the cursor mid-line
        }
        return Report(end, clock);
    }

    private string? Connect(Socket socket)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(options.Host, out var literal) ? [literal] : Dns.GetHostAddresses(options.Host);
        }
        catch (SocketException e)
        {
            return $"cannot resolve {Target}: {e.Message}";
        }
        try
        {
            socket.Connect(addresses, options.Port);
            return null;
        }
        catch (SocketException e)
        {
            return $"cannot connect to {Target}: {e.Message}";
        }
    }

    private int Report(SessionEnd end, KeystrokeClock clock)
    {
        var rtt = clock.Summary();
        StandardStreams.ErrorLine(rtt.Count == 0
            ? "connect: no keystroke round trips"
            : $"connect: {rtt.Count} keystroke round trips, p50 {rtt.P50} µs, p99 {rtt.P99} µs");
        switch (end.Reason)
        {
            case SessionEndReason.Escape:
                StandardStreams.ErrorLine($"connection to {options.Host} closed");
                return 0;
            case SessionEndReason.ServerClosed:
                StandardStreams.ErrorLine($"connection closed by {options.Host}");
                return 0;
            case SessionEndReason.ConnectionLost:
                StandardStreams.ErrorLine($"connect: connection to {Target} lost: {new SocketException((int)end.Error).Message}");
                return Failed;
            case SessionEndReason.ProtocolError:
                StandardStreams.ErrorLine(end.Detail ?? "connect: protocol error");
                return Failed;
            case SessionEndReason.OutputClosed:
                StandardStreams.ErrorLine($"connect: cannot write to standard output: {end.Detail}");
                return Failed;
            default:
                StandardStreams.ErrorLine($"connect: ended by {end.Detail}");
                return 128 + end.SignalNumber; // the shell's convention for "killed by this signal"
        }
    }

    private static TerminalSize CurrentSize() =>
        TerminalControl.WindowSize(TerminalControl.StandardInput)
        ?? TerminalControl.WindowSize(TerminalControl.StandardOutput)
        ?? TerminalSize.Default;

    private static void Resized(LoginClientProtocol protocol, WireSender sender)
    {
        var message = new ArrayBufferWriter<byte>();
        protocol.WindowChanged(CurrentSize(), message);
        if (message.WrittenCount > 0)
        {
            sender.Send(message.WrittenSpan); // a failure here is the receiving thread's to report
        }
    }

    private static void ShutDown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone: that is the point.
        }
    }

    private static Thread StartThread(Action run, string name)
    {
        var thread = new Thread(() => run()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }
}
