using System.Net.Sockets;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>
/// Drain and abort for a session served by a child, whenever they come: before the child is up they are
/// remembered and applied once it is attached.
/// </summary>
public sealed class ChildSessionControl
{
    private readonly Lock _gate = new();
    private SubdaemonChild? _child;
    private bool _draining;
    private bool _aborted;

    /// <summary>Start the session's child, or say on stderr why it could not start and return null; the session then closes its client cleanly.</summary>
    public static async Task<SubdaemonChild?> TryLaunchAsync(SubdaemonChildren children, ChildCommand command, bool ownsClientSocket, Socket connection)
    {
        try
        {
            return await children.LaunchAsync(command, ownsClientSocket);
        }
        catch (SubdaemonStartException e)
        {
            Console.Error.WriteLine($"session {connection.RemoteEndPoint}: {e.Message}; closing it");
            return null;
        }
    }

    public void Attach(SubdaemonChild child)
    {
        lock (_gate)
        {
            _child = child;
            if (_aborted)
            {
                child.Kill();
            }
            else if (_draining)
            {
                child.Drain();
            }
        }
    }

    public void BeginDrain()
    {
        lock (_gate)
        {
            _draining = true;
            _child?.Drain();
        }
    }

    public void Abort()
    {
        lock (_gate)
        {
            _aborted = true;
            _child?.Kill();
        }
    }
}
