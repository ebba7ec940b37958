using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace RemoteLogin.Sockets;

/// <summary>
/// A lane's wait on its pipe (a flush or a read that did not complete at once) as a plain <see cref="ValueTask"/>, the
/// one kind of wait every driver knows, without an allocation per wait: one reused source, one delegate made once.
/// The continuation runs where the pipe's scheduler puts it; the lane takes the pipe's result itself when stepped again.
/// </summary>
public sealed class LaneWait : IValueTaskSource
{
    private readonly Action _completed;
    private ManualResetValueTaskSourceCore<bool> _core; // continuations inline: the pipe's scheduler already chose the thread

    public LaneWait() => _completed = () => _core.SetResult(true);

    public ValueTask Until<T>(in ValueTask<T> pending)
    {
        _core.Reset();
        ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter awaiter = pending.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(_completed);
        return new ValueTask(this, _core.Version);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
