using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using RemoteLogin.Measurement;

namespace RemoteLogin.Sockets;

/// <summary>
/// One reused <see cref="SocketAsyncEventArgs"/> that sends a list of buffers as one sendmsg and is awaited as a
/// <see cref="ValueTask{TResult}"/>, as Kestrel's socket sender does: Socket has no ValueTask send of a buffer list,
/// and its Task one allocates a Task per send. One send at a time.
/// </summary>
public sealed class SendArgs : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private static readonly Action<object?> AbortSend = socket => ((Socket)socket!).Dispose();

    // Completions come on the socket engine's thread: the awaiting loop goes to the thread pool, as every other socket
    // continuation does, unless the run asked for socket continuations inline (the bench's --inline-completions).
    private static readonly bool s_inline = Environment.GetEnvironmentVariable(RuntimeSwitches.InlineSocketCompletions) == "1";

    private ManualResetValueTaskSourceCore<int> _completion = new() { RunContinuationsAsynchronously = !s_inline };
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _token;

    public SendArgs()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>
    /// Send every byte of <paramref name="buffers"/> (copied into these args, so the list may be reused at once).
    /// Socket's own SocketAsyncEventArgs send takes no token; a cancellation while the send waits for room closes the
    /// socket, which is what ends a session anyway, and the send throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public ValueTask<int> SendAsync(Socket socket, IList<ArraySegment<byte>> buffers, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BufferList = buffers;
        _completion.Reset();
        _token = cancellationToken;
        if (!socket.SendAsync(this))
        {
            return Result(cancellationToken);
        }
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(AbortSend, socket);
        }
        return new ValueTask<int>(this, _completion.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(BytesTransferred);
        }
        else
        {
            _completion.SetException(_token.IsCancellationRequested ? new OperationCanceledException(_token) : new SocketException((int)SocketError));
        }
    }

    private ValueTask<int> Result(CancellationToken cancellationToken) => SocketError == SocketError.Success
        ? ValueTask.FromResult(BytesTransferred)
        : ValueTask.FromException<int>(cancellationToken.IsCancellationRequested ? new OperationCanceledException(cancellationToken) : new SocketException((int)SocketError));

    int IValueTaskSource<int>.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        return _completion.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
