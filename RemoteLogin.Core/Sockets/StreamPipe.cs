using System.Buffers;
using System.IO.Pipelines;

namespace RemoteLogin.Sockets;

/// <summary>The options of a pipe between a socket and whatever fills or drains it, on the daemon's echo and the client's pipelined strategy alike.</summary>
public static class StreamPipe
{
    // The pipe's defaults (64 KB pause, 32 KB resume) stop the writer after every 64 KB block of a stream until the
    // reader has taken it: receiving and sending would take turns instead of running together.
    private const long PauseWriterThreshold = 1024 * 1024;
    private const long ResumeWriterThreshold = PauseWriterThreshold / 2;

    /// <param name="pool">Where the pipe's segments come from; null for the shared array pool, which the pipe rents from without an owner object per segment.</param>
    public static PipeOptions Options(PipeScheduler scheduler, MemoryPool<byte>? pool = null) => new(
        pool: pool, readerScheduler: scheduler, writerScheduler: scheduler, pauseWriterThreshold: PauseWriterThreshold,
        resumeWriterThreshold: ResumeWriterThreshold, useSynchronizationContext: false);
}
