using System.Runtime.CompilerServices;

namespace RemoteLogin.Sockets;

/// <summary>
/// Blocks a dedicated thread until a ValueTask (a pipe's read or flush) completes, without allocating per wait:
/// the completion callback is one delegate made once. For threads that own their blocking, never the thread pool.
/// </summary>
public sealed class BlockingWaiter
{
    private readonly ManualResetEventSlim _completed = new(false, spinCount: 0);
    private readonly Action _signal;

    public BlockingWaiter() => _signal = _completed.Set;

    public T Wait<T>(ValueTask<T> pending)
    {
        if (pending.IsCompleted)
        {
            return pending.Result;
        }
        _completed.Reset();
        ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter awaiter = pending.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(_signal);
        _completed.Wait();
        return awaiter.GetResult();
    }

    public void Wait(ValueTask pending)
    {
        if (pending.IsCompleted)
        {
            pending.GetAwaiter().GetResult();
            return;
        }
        _completed.Reset();
        ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter awaiter = pending.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(_signal);
        _completed.Wait();
        awaiter.GetResult();
    }
}
