using System.Buffers;
using System.IO.Pipelines;

namespace RemoteLogin.Protocols.Mux;

/// <summary>
/// One end's frames on their way out, the daemon's and the concentrator's alike: each written whole, under one lock,
/// from whichever terminal's loop has one, into a pipe that never pauses, so no writer ever waits on the connection.
/// What can wait in it is bounded by the terminals' windows, since the other end grants credit only as its terminals
/// take the bytes. One sender drains <see cref="Reader"/>: as many frames as are ready go out in one gathered send.
/// </summary>
public sealed class MuxOutbound
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _gate = new();
    private bool _ended; // frames are dropped: the end was asked for, or the sender failed
    private bool _endAsked;

    public PipeReader Reader => _pipe.Reader;

    public void Open(ushort terminal, string name)
    {
        using var frame = Begin();
        if (frame.Writer is { } writer)
        {
            MuxWriter.Open(writer, terminal, name);
        }
    }

    public void Data(ushort terminal, ReadOnlySpan<byte> bytes)
    {
        using var frame = Begin();
        if (frame.Writer is { } writer)
        {
            MuxWriter.Data(writer, terminal, bytes);
        }
    }

    public void Credit(ushort terminal, uint bytes)
    {
        using var frame = Begin();
        if (frame.Writer is { } writer)
        {
            MuxWriter.Credit(writer, terminal, bytes);
        }
    }

    public void Close(ushort terminal, string reason = "")
    {
        using var frame = Begin();
        if (frame.Writer is { } writer)
        {
            MuxWriter.Close(writer, terminal, reason);
        }
    }

    /// <summary>The ERROR frame, and nothing after it: the terminals' ends that would follow could only confuse the other end.</summary>
    public void Last(string problem)
    {
        lock (_gate) // one lock for both, so no other loop's frame slips in between
        {
            using (var frame = Begin())
            {
                if (frame.Writer is { } writer)
                {
                    MuxWriter.Error(writer, problem);
                }
            }
            End();
        }
    }

    /// <summary>No more frames; the sender ends once the last has gone. False if the end had been asked for already.</summary>
    public bool End()
    {
        lock (_gate)
        {
            if (_endAsked)
            {
                return false;
            }
            _endAsked = true;
            _ended = true;
            _pipe.Writer.Complete();
            return true;
        }
    }

    private Frame Begin() => new(this);

    /// <summary>The lock for one frame, and the writer to write it with while frames are still taken; the frame is flushed as the lock is let go.</summary>
    private ref struct Frame
    {
        private readonly MuxOutbound _owner;
        private Lock.Scope _scope;

        public Frame(MuxOutbound owner)
        {
            _owner = owner;
            _scope = owner._gate.EnterScope();
            Writer = owner._ended ? null : owner._pipe.Writer;
        }

        public IBufferWriter<byte>? Writer { get; }

        public void Dispose()
        {
            if (Writer is not null)
            {
                _owner.Flush();
            }
            _scope.Dispose();
        }
    }

    /// <summary>
    /// Never waits: the pipe never pauses its writer. A sender that failed hands its error back here (the pipe
    /// rethrows it); from then on frames are dropped, and the sender's own end tells the connection, whose
    /// <see cref="End"/> finds the end not asked for.
    /// </summary>
    private void Flush()
    {
        try
        {
            _pipe.Writer.FlushAsync().GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            _ended = true;
        }
    }
}
