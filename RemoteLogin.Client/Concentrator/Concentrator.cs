using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using RemoteLogin.Client.Concentrator.Lines;
using RemoteLogin.Sockets;

namespace RemoteLogin.Client.Concentrator;

/// <summary>
/// <c>RemoteLogin.Client concentrator</c>: the front-end processor. Terminals connect to it with plain TCP, each on a
/// line of its own (<see cref="TerminalLine"/>); it carries them all to the host over one mux connection
/// (<see cref="Upstream"/>). A terminal that misbehaves ends its own line; a host connection that breaks ends every
/// line with a message and the concentrator with exit code 1; SIGTERM drains: no new terminals, every line's input
/// stops, the host echoes what it had and closes each, and the concentrator exits 0 once all are over.
/// </summary>
internal static class Concentrator
{
    private const int ListenBacklog = 1024;

    public static async Task<int> RunAsync(ConcentratorOptions options)
    {
        var protocol = LineProtocols.For(options.Protocol);
        Upstream upstream;
        try
        {
            using var connecting = new CancellationTokenSource(options.OpeningTimeout);
            upstream = await Upstream.ConnectAsync(options.Upstream, options.MaxTerminals, options.FlushDelay, ConcentratorOptions.KeepAlive, connecting.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Console.Error.WriteLine($"concentrator: cannot reach the host at {options.Upstream}: {e.Message}");
            return 1;
        }
        var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(options.Listen);
            listener.Listen(ListenBacklog);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"concentrator: cannot listen on {options.Listen}: {e.Message}");
            listener.Dispose();
            upstream.Abort();
            return 1;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Drain);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Drain);
        void Drain(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        var lines = new Lines();
        var hostRun = upstream.RunAsync();
        Console.WriteLine($"listening on {listener.LocalEndPoint}");
        Console.Out.Flush();
        var accepting = AcceptAsync(listener, upstream, protocol, options, lines);

        bool draining = await Task.WhenAny(stop.Task, hostRun) == stop.Task;
        listener.Dispose(); // no new terminals, whatever the reason
        await accepting;
        if (draining)
        {
            lines.BeginDrain();
            var drained = lines.EndedWithinAsync(options.DrainTimeout);
            // A host that breaks during the drain breaks it: its terminals are told, as at any other time.
            if (await Task.WhenAny(drained, hostRun) == hostRun && hostRun.Result.Problem is { } problem)
            {
                return await BrokenAsync(upstream, lines, problem);
            }
            if (!await drained)
            {
                Console.Error.WriteLine($"concentrator: drain timeout ({options.DrainTimeout.TotalSeconds:0.#} s): aborting {lines.Count} terminal(s)");
                lines.Abort();
            }
            var end = await upstream.CloseAsync(hostRun);
            return end.Problem is null ? 0 : await BrokenAsync(upstream, lines, end.Problem);
        }

        var ended = await hostRun;
        if (ended.Problem is not null)
        {
            return await BrokenAsync(upstream, lines, ended.Problem);
        }
        Console.Error.WriteLine($"concentrator: the host at {upstream.Host} ended the connection, every terminal closed");
        await lines.EndedWithinAsync(options.DrainTimeout);
        lines.Abort();
        await upstream.CloseAsync(hostRun);
        return 0;
    }

    /// <summary>The host's connection broke: every terminal is told why and gets a linger's time to take it, then everything stops; exit code 1.</summary>
    private static async Task<int> BrokenAsync(Upstream upstream, Lines lines, string problem)
    {
        int terminals = lines.Count;
        lines.UpstreamBroken($"the connection to the host at {upstream.Host} broke: {problem}");
        await lines.EndedWithinAsync(SessionSocket.Linger);
        lines.Abort();
        upstream.Abort();
        Console.Error.WriteLine($"concentrator: upstream {upstream.Host}: {problem}; closing it and its {terminals} terminal(s)");
        return 1;
    }

    private static async Task AcceptAsync(Socket listener, Upstream upstream, ILineProtocol protocol, ConcentratorOptions options, Lines lines)
    {
        var lastComplaint = DateTime.MinValue;
        while (true)
        {
            Socket terminal;
            try
            {
                terminal = await listener.AcceptAsync();
            }
            catch (ObjectDisposedException)
            {
                return; // stopped
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors, most likely: back off, and say so once a second at most.
                if (DateTime.UtcNow - lastComplaint > TimeSpan.FromSeconds(1))
                {
                    Console.Error.WriteLine($"concentrator: accept failed ({e.Message}); retrying");
                    lastComplaint = DateTime.UtcNow;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(100));
                continue;
            }
            try
            {
                terminal.NoDelay = true;
                // Urgent data is data here: a terminal's synch or interrupt reaches its codec in order, never stops a read.
                terminal.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.OutOfBandInline, true);
                SessionSocket.KeepAlive(terminal, ConcentratorOptions.KeepAlive);
            }
            catch (SocketException)
            {
                terminal.Dispose(); // gone already
                continue;
            }
            if (upstream.TakeNumber() is not { } number)
            {
                _ = RefuseAsync(terminal, $"concentrator: all {options.MaxTerminals} terminals are in use\r\n");
                continue;
            }
            var line = new TerminalLine(number, terminal, upstream, protocol);
            line.Start(options.OpeningTimeout);
            lines.Add(line);
        }
    }

    private static async Task RefuseAsync(Socket terminal, string message)
    {
        try
        {
            await terminal.SendAsync(Encoding.ASCII.GetBytes(message), SocketFlags.None);
        }
        catch (SocketException)
        {
            // Gone already.
        }
        await SessionSocket.CloseAsync(terminal);
    }

    /// <summary>The lines still running, each until its completion (set by its start).</summary>
    private sealed class Lines
    {
        private readonly Lock _gate = new();
        private readonly HashSet<TerminalLine> _running = [];

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _running.Count;
                }
            }
        }

        public void Add(TerminalLine line)
        {
            lock (_gate)
            {
                _running.Add(line);
            }
            line.Completion.ContinueWith(_ =>
            {
                lock (_gate)
                {
                    _running.Remove(line);
                }
            }, TaskScheduler.Default);
        }

        public void BeginDrain() => ForEach(line => line.BeginDrain());

        public void Abort() => ForEach(line => line.Abort());

        public void UpstreamBroken(string message) => ForEach(line => line.UpstreamBroken(message));

        public async Task<bool> EndedWithinAsync(TimeSpan timeout)
        {
            Task[] running;
            lock (_gate)
            {
                running = [.. _running.Select(line => line.Completion)];
            }
            var all = Task.WhenAll(running);
            return await Task.WhenAny(all, Task.Delay(timeout)) == all;
        }

        private void ForEach(Action<TerminalLine> act)
        {
            TerminalLine[] running;
            lock (_gate)
            {
                running = [.. _running];
            }
            foreach (var line in running)
            {
                act(line);
            }
        }
    }
}
