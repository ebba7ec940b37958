using System.Runtime.InteropServices;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// The signals a session answers. SIGINT, SIGTERM, SIGHUP and SIGQUIT end it the orderly way (terminal restored,
/// round trips printed) instead of the runtime's default exit; in raw mode Ctrl+C is a byte for the remote end, so a
/// SIGINT can only come from kill. SIGWINCH reports the new window size.
/// </summary>
internal sealed class SessionSignals : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public SessionSignals(SessionEnding ending, Action resized)
    {
        foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3) })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                ending.Report(new SessionEnd(SessionEndReason.Signal, signal.ToString(), SignalNumber: number));
            }));
        }
        if (!OperatingSystem.IsWindows())
        {
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => resized()));
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
