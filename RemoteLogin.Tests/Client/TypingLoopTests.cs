using System.Net;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Load;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Client.Typing;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Client;

/// <summary>Typists on a typing loop: many sessions from a few threads, and none held up by another.</summary>
public class TypingLoopTests
{
    /// <summary>
    /// A structural bound, not a timing one: the test process (runner, in-process daemon, thread pool, socket engine)
    /// plus the client. A thread per typist, or a receiver thread per session, is hundreds over it. The pool alone
    /// injects a few threads more on a loaded machine (66 seen in a CI run), so the bound leaves room for that.
    /// </summary>
    private const int MostThreads = 100;

    [Theory]
    [InlineData(BufferStrategy.Naive)]
    [InlineData(BufferStrategy.Batched)]
    [InlineData(BufferStrategy.Pipelined)]
    [InlineData(BufferStrategy.Zerocopy)]
    public async Task Three_hundred_typists_stay_intact_on_far_fewer_threads_than_sessions(BufferStrategy strategy)
    {
        await using var daemon = InProcessDaemon.StartForLoad(strategy, sessions: 300);
        var options = new LoadOptions
        {
            Daemon = daemon.Endpoint,
            Strategy = strategy,
            Scenario = Scenario.Typists,
            Sessions = 300,
            Chars = 6_000, // about a second at 300 x 20/s
            WarmupChars = 600,
            CharsPerSecond = 20,
        };
        using var stop = new CancellationTokenSource();
        int mostThreads = 0;
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                mostThreads = Math.Max(mostThreads, ThreadsOfThisProcess());
                await Task.Delay(20);
            }
        });

        var run = new LoadRunner(options, PhaseSync.None).Run();
        stop.Cancel();
        await watcher;

        Assert.Null(run.Result.Failures);
        Assert.Equal(new Results.IntegrityCounts(0, 0, 0), run.Result.Integrity); // random bytes, every one echoed once
        Assert.Equal(options.Chars, run.Result.Chars);
        Assert.Equal(options.Chars, run.Result.RttMicros.Count);
        Assert.InRange(mostThreads, 1, MostThreads);
    }

    [Fact]
    public async Task A_session_whose_daemon_stopped_reading_does_not_hold_up_the_others()
    {
        await using var daemon = InProcessDaemon.Start(BufferStrategy.Zerocopy);
        using var deaf = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        deaf.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        deaf.Listen();
        var echoTimeout = TimeSpan.FromSeconds(2);
        // The stuck session's window (16 MB) is larger than the kernel buffers grow (tcp_wmem is 4 MB at most), so its sends, not its window, stop.
        using var stuck = ClientTransports.Connect(BufferStrategy.Zerocopy, WireProtocol.Raw, (IPEndPoint)deaf.LocalEndPoint!,
            TypedText.For(WireProtocol.Raw, 1, 0), new TransportSettings(1 << 24, 64, TimeSpan.FromMilliseconds(1), echoTimeout));
        using var neverRead = deaf.Accept();
        // The served session's echoes get a generous timeout: its integrity must not hang on how fast a busy machine echoes.
        using var served = ClientTransports.Connect(BufferStrategy.Zerocopy, WireProtocol.Raw, daemon.Endpoint,
            TypedText.For(WireProtocol.Raw, 1, 1), TransportSettings.Default with { EchoTimeout = TimeSpan.FromSeconds(30) });
        stuck.StartReceiving();
        served.StartReceiving();
        Typist[] typists = [new(0, stuck, new Random(1)), new(1, served, new Random(2))];
        var loop = new TypingLoop(typists, 20_000); // from here on, sends do not wait
        // Back the stuck session's sends up before typing starts: the kernel buffers fill and the rest goes to the
        // background. How much they hold is the kernel's affair, so fill until it says so, within the window.
        while (!stuck.IsSending && stuck.Window.Room >= 64 * 1024)
        {
            stuck.Type(64 * 1024, System.Diagnostics.Stopwatch.GetTimestamp());
        }
        Assert.True(stuck.IsSending, $"the kernel took all of {stuck.Window.Typed} bytes");

        var typing = new Thread(() => loop.Type(20_000, null)) { IsBackground = true };
        typing.Start();
        Assert.True(typing.Join(TimeSpan.FromSeconds(60)), "the typing loop did not finish: a send blocked it");

        Assert.Contains("has not gone out", typists[0].Failure);
        Assert.Null(typists[1].Failure);
        Assert.Equal(20_000, served.Window.Typed); // the stuck session typed none of the loop's characters
        Assert.Equal(0, served.Window.Outstanding);
        Assert.True(served.Window.Integrity.IsIntact);
        Assert.True(stuck.Window.Integrity.Lost > 0); // what it typed and the deaf daemon never echoed
    }

    [Fact]
    public void One_loop_serves_a_hundred_thousand_intended_characters_a_second()
    {
        Assert.Equal(1, TypingLoop.LoopsFor(10_000, 10));
        Assert.Equal(1, TypingLoop.LoopsFor(1, 1_000));
        Assert.Equal(Math.Min(2, Environment.ProcessorCount), TypingLoop.LoopsFor(10_000, 20));
    }

    private static int ThreadsOfThisProcess()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("/proc/self/status has no Threads line");
    }
}
