using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using RemoteLogin.Processes;
using RemoteLogin.Server.Native;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>A child could not be started or did not come up to take its session.</summary>
internal sealed class SubdaemonStartException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The daemon's end of one subdaemon child: the process, and the control socket it connected back on.
/// The control socket carries the session's socket to the child and the child's reports back.
/// </summary>
internal sealed class SubdaemonChild
{
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly Socket _control;
    private readonly Lock _gate = new();
    private ChildReport _last;
    private bool _retired;
    private bool _serving; // a request for a report before Go would be read as the session's hand-over

    private SubdaemonChild(Process process, Socket control, bool ownsClientSocket)
    {
        _process = process;
        _control = control;
        OwnsClientSocket = ownsClientSocket;
        Exited = process.WaitForExitAsync();
    }

    public int ProcessId => _process.Id;

    /// <summary>The process model: the child's echoes go straight to the client, so its byte counts are the session's.</summary>
    public bool OwnsClientSocket { get; }

    /// <summary>Completes once the child has exited and the runtime has reaped it.</summary>
    public Task Exited { get; }

    /// <summary>How the child ended, once retired: 0 for a clean exit, 128 + n when signal n killed it.</summary>
    public int ExitCode { get; private set; }

    /// <summary>Start a child and wait until it has connected back; it serves its session as <paramref name="command"/> says.</summary>
    public static async Task<SubdaemonChild> LaunchAsync(ChildCommand command, bool ownsClientSocket, TimeSpan timeout)
    {
        string name = UnixSockets.NewName();
        Socket listener;
        Process process;
        try
        {
            listener = UnixSockets.Listen(name);
        }
        catch (SocketException e)
        {
            throw new SubdaemonStartException($"cannot open a control socket for a subdaemon: {e.Message}", e);
        }
        using var _ = listener;
        try
        {
            var start = SiblingProgram.StartInfo("RemoteLogin.Server", command.Arguments(name), redirectStandardStreams: false);
            process = Process.Start(start) ?? throw new SubdaemonStartException("no process was started");
        }
        catch (Exception e) when (e is Win32Exception or FileNotFoundException)
        {
            throw new SubdaemonStartException($"cannot start a subdaemon: {e.Message}", e);
        }

        using var giveUp = new CancellationTokenSource(timeout);
        var exited = process.WaitForExitAsync(giveUp.Token);
        // A stranger's connection to the listed name is closed and the wait goes on: it cannot take the child's place.
        var accepted = UnixSockets.AcceptFromAsync(listener, process.Id, giveUp.Token);
        if (await Task.WhenAny(accepted, exited) == accepted && accepted.IsCompletedSuccessfully)
        {
            var control = accepted.Result;
            control.Blocking = true;
            control.ReceiveTimeout = (int)ReportTimeout.TotalMilliseconds;
            return new SubdaemonChild(process, control, ownsClientSocket);
        }
        if (accepted.IsCompletedSuccessfully)
        {
            accepted.Result.Dispose(); // too late, or not our child at all
        }
        string why = process.HasExited ? $"exited with code {process.ExitCode} before taking its session"
            : $"did not connect back within {timeout.TotalSeconds:0.#} s";
        KillQuietly(process);
        await process.WaitForExitAsync();
        process.Dispose();
        throw new SubdaemonStartException($"subdaemon {why}");
    }

    /// <summary>Give the child the session's socket. The caller closes its own copy, then says <see cref="Go"/>.</summary>
    public void HandOver(SafeHandle socket) => DescriptorPassing.Send(_control, socket, (byte)ControlRequest.HandOver);

    /// <summary>The child owns the socket now; from here on it may be asked for reports.</summary>
    public void Go()
    {
        lock (_gate)
        {
            Request(ControlRequest.Go);
            _serving = true;
        }
    }

    public void Drain() => Request(ControlRequest.Drain);

    /// <summary>End the child now; the kernel closes the client's connection with it.</summary>
    public void Kill() => KillQuietly(_process);

    /// <summary>Ask for a fresh report; false if the child is gone or did not answer in time (the last report stands).</summary>
    public bool TryRefresh()
    {
        lock (_gate)
        {
            if (_retired || !_serving || !Request(ControlRequest.Report) || !TryReadReport(out var report))
            {
                return false;
            }
            _last = report;
            return true;
        }
    }

    /// <summary>The child's latest report.</summary>
    public ChildReport Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>After <see cref="Exited"/>: take the child's last word, and let go of everything it held.</summary>
    public ChildReport Retire()
    {
        lock (_gate)
        {
            if (!_retired)
            {
                _retired = true;
                // The child is gone, so the channel ends after whatever it wrote: the last whole report wins.
                while (TryReadReport(out var report))
                {
                    _last = report;
                }
                _control.Dispose();
                ExitCode = _process.ExitCode;
                _process.Dispose();
            }
            return _last;
        }
    }

    private bool Request(ControlRequest request)
    {
        try
        {
            return _control.Send([(byte)request]) == 1;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private bool TryReadReport(out ChildReport report)
    {
        report = default;
        Span<byte> buffer = stackalloc byte[ChildReport.Size];
        try
        {
            for (int got = 0; got < buffer.Length;)
            {
                int received = _control.Receive(buffer[got..]);
                if (received == 0)
                {
                    return false;
                }
                got += received;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
        report = ChildReport.Read(buffer);
        return true;
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
