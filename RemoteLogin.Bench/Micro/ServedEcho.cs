using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Server.Sessions;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// One end of a socket pair served by a strategy's raw echo session as a model runs it: the blocking driver on a
/// dedicated thread (the thread model's), or the async driver on the thread pool (the task model's). The task ends
/// when the session does, faulted when it did not complete.
/// </summary>
internal static class ServedEcho
{
    public static Task Start(Socket served, BufferStrategy strategy, SubdaemonModel model, EchoTally tally)
    {
        var session = new EchoSessions(strategy, RawProtocol.Instance, tally).For(served);
        if (model != SubdaemonModel.Thread)
        {
            return Task.Run(async () => Check(await session.RunAsync(CancellationToken.None)));
        }
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Check(session.Run());
                ended.SetResult();
            }
            catch (Exception e)
            {
                ended.SetException(e);
            }
        })
        { IsBackground = true, Name = "echo loop" };
        thread.Start();
        return ended.Task;
    }

    private static void Check(EchoEnd end)
    {
        if (end.Kind != EchoEndKind.Completed)
        {
            throw new InvalidOperationException($"the echo ended {end.Kind}: {end.Reason}");
        }
    }
}
