using System.Net.Sockets;

namespace RemoteLogin.Client.Connect;

internal enum SessionEndReason
{
    /// <summary>"~." at the start of a line.</summary>
    Escape,
    /// <summary>The server closed the connection (after the input ended, in a piped session).</summary>
    ServerClosed,
    ConnectionLost,
    ProtocolError,
    /// <summary>Standard output went away, so nothing could be shown any more.</summary>
    OutputClosed,
    Signal,
}

/// <summary>Why a session ended; the first cause wins.</summary>
internal readonly record struct SessionEnd(SessionEndReason Reason, string? Detail = null, SocketError Error = SocketError.Success, int SignalNumber = 0)
{
    public static SessionEnd Lost(SocketError error) => new(SessionEndReason.ConnectionLost, Error: error);
}

/// <summary>Where the pumps and the signal handlers report the end; the session waits on it.</summary>
internal sealed class SessionEnding
{
    private readonly TaskCompletionSource<SessionEnd> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Report(SessionEnd end) => _end.TrySetResult(end);

    public SessionEnd Wait() => _end.Task.GetAwaiter().GetResult();
}
