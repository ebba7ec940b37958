using System.Net.Sockets;

namespace RemoteLogin.Client.Connect;

/// <summary>
/// The session's only way to send: typed keys, protocol replies and window sizes come from three threads, and a
/// telnet reply or a window-size message must not be cut in two by a key sent in its middle.
/// </summary>
internal sealed class WireSender(Socket socket)
{
    private readonly Lock _lock = new();
    private bool _typingEnded;

    /// <summary>
    /// Sends all of <paramref name="bytes"/>. Once typing has ended nothing more can go out, and what the server asks
    /// for after that (a window size, a negotiation answer) is dropped: the server has seen end of file.
    /// </summary>
    public SocketError Send(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (_typingEnded)
            {
                return SocketError.Success;
            }
            try
            {
                while (!bytes.IsEmpty)
                {
                    int sent = socket.Send(bytes, SocketFlags.None, out var error);
                    if (error != SocketError.Success)
                    {
                        return error;
                    }
                    bytes = bytes[sent..];
                }
                return SocketError.Success;
            }
            catch (ObjectDisposedException)
            {
                return SocketError.Shutdown; // the session is over and its socket gone
            }
        }
    }

    /// <summary>No more typing: the server sees end of file and can finish sending its echoes.</summary>
    public void EndTyping()
    {
        lock (_lock)
        {
            _typingEnded = true;
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed: the receiving side reports how.
            }
        }
    }
}
