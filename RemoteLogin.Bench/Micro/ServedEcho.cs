using System.Net.Sockets;
using RemoteLogin.Measurement;
using RemoteLogin.Server.Echo;
using RemoteLogin.Server.Protocols;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// One end of a socket pair served by a strategy's raw echo loop as a model runs it: the thread model's blocking loop on
/// a dedicated thread, or the task model's async loop on the thread pool. The task ends when the loop does.
/// </summary>
internal static class ServedEcho
{
    public static Task Start(Socket served, BufferStrategy strategy, SubdaemonModel model, EchoTally tally)
    {
        var echo = EchoStrategies.For(strategy);
        var framing = new FramedEcho(RawProtocol.Instance.NewFraming(), new CopyTally());
        if (model != SubdaemonModel.Thread)
        {
            return Task.Run(() => echo.EchoAsync(served, framing, tally, CancellationToken.None));
        }
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                served.Blocking = true;
                echo.Echo(served, framing, tally);
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
}
