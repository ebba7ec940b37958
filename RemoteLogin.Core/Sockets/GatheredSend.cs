using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RemoteLogin.Sockets;

/// <summary>
/// A pipe's read, however many segments it spans, on the wire with one sendmsg: an iovec per segment, through one
/// reused list. A single segment goes as a plain send. At most <see cref="MaxSegments"/> segments go per call, the
/// number the runtime gathers on the stack; more would allocate its iovec and pin arrays per call.
/// </summary>
public sealed class GatheredSend : IDisposable
{
    public const int MaxSegments = 8;

    // Made at the first gathered send: a typist's session never has a read of two segments, and an idle one holds neither.
    private List<ArraySegment<byte>>? _segments;
    private SendArgs? _args;

    /// <summary>Send the start of <paramref name="buffer"/> with one call, on a blocking socket; the bytes it took.</summary>
    public int Send(Socket socket, in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            return socket.Send(buffer.FirstSpan);
        }
        return Gather(buffer, out var segments) ? socket.Send(segments) : socket.Send(buffer.FirstSpan);
    }

    /// <summary>Send the start of <paramref name="buffer"/> with one call, never blocking the thread; the bytes it took.</summary>
    public ValueTask<int> SendAsync(Socket socket, in ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsSingleSegment)
        {
            return socket.SendAsync(buffer.First, SocketFlags.None, cancellationToken);
        }
        return Gather(buffer, out var segments)
            ? (_args ??= new SendArgs()).SendAsync(socket, segments, cancellationToken)
            : socket.SendAsync(buffer.First, SocketFlags.None, cancellationToken);
    }

    public void Dispose() => _args?.Dispose();

    /// <summary>The first segments as array segments; false when a segment is not an array's (a native pool's), which goes alone.</summary>
    private bool Gather(in ReadOnlySequence<byte> buffer, out List<ArraySegment<byte>> segments)
    {
        segments = _segments ??= new(MaxSegments);
        segments.Clear();
        foreach (var memory in buffer)
        {
            if (!MemoryMarshal.TryGetArray(memory, out var array))
            {
                segments.Clear();
                return false;
            }
            segments.Add(array);
            if (segments.Count == MaxSegments)
            {
                break;
            }
        }
        return true;
    }
}
