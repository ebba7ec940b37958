using System.IO.Pipelines;

namespace RemoteLogin.Protocols.Mux;

/// <summary>How an end's read loop ended.</summary>
public enum MuxLoopEnd
{
    /// <summary>The end's own check said so: a drain done, an abort, a failed send.</summary>
    Stopped,
    /// <summary>The peer ended its side at a frame's end.</summary>
    PeerEnded,
    /// <summary>A frame broke the framing or the end's rules, or the connection ended inside one: the end says so with an ERROR.</summary>
    Broken,
    /// <summary>The peer sent its ERROR, and has ended the connection: nothing is said back.</summary>
    PeerReported,
    /// <summary>The connection failed under the loop (a reset, keepalive's verdict): nothing more can be said.</summary>
    Lost,
}

/// <summary>An end and why: the problem for <see cref="MuxLoopEnd.Broken"/> and <see cref="MuxLoopEnd.Lost"/>, the peer's text for <see cref="MuxLoopEnd.PeerReported"/>.</summary>
public readonly record struct MuxLoopResult(MuxLoopEnd End, string? Problem = null);

/// <summary>
/// One end's read loop over its connection's frames, the daemon's and the concentrator's alike: every whole frame goes
/// to the end's handler in order, all of a read's before the next read, until the peer ends its side, sends its
/// ERROR, or breaks the framing or the end's rules, or the end's own check stops it.
/// </summary>
public static class MuxFrameLoop
{
    /// <param name="handle">One whole frame, never an ERROR: a problem if it breaks the end's rules.</param>
    /// <param name="check">After each read's frames: an end to stop with, or null to read on.</param>
    public static async Task<MuxLoopResult> RunAsync(PipeReader frames, Func<MuxFrame, ValueTask<string?>> handle, Func<MuxLoopResult?> check)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await frames.ReadAsync();
            }
            catch (Exception e) // the receive side's error, as the pipe hands it on
            {
                return new(MuxLoopEnd.Lost, $"connection lost: {e.Message}");
            }
            var buffer = result.Buffer;
            string? problem = null;
            string? reported = null;
            while (problem is null)
            {
                var read = MuxReader.TryRead(ref buffer);
                if (read.Status != MuxReadStatus.Frame)
                {
                    problem = read.IsMalformed ? read.Problem : null;
                    break;
                }
                if (read.Frame.Type == MuxFrameType.Error)
                {
                    reported = read.Frame.Text;
                    break;
                }
                problem = await handle(read.Frame);
            }
            frames.AdvanceTo(buffer.Start, buffer.End);
            if (reported is not null)
            {
                return new(MuxLoopEnd.PeerReported, reported);
            }
            if (problem is not null)
            {
                return new(MuxLoopEnd.Broken, problem);
            }
            if (check() is { } stop)
            {
                return stop;
            }
            if (result.IsCompleted)
            {
                return buffer.IsEmpty ? new(MuxLoopEnd.PeerEnded) : new(MuxLoopEnd.Broken, $"the connection ended {buffer.Length} bytes into a frame");
            }
        }
    }
}
