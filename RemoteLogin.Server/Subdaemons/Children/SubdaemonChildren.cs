using System.Collections.Concurrent;
using System.Net.Sockets;
using RemoteLogin.Server.Echo;
using RemoteLogin.Measurement;
using RemoteLogin.Native;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Server.Subdaemons.Children;

/// <summary>What the daemon's children have cost and echoed so far, the live ones and the reaped ones together.</summary>
internal sealed record ChildrenReading(ProcessCounters Usage, EchoCounts Echo);

/// <summary>
/// Every subdaemon child of this daemon: starts them, keeps count, and adds up what they cost. Reaped children are
/// counted by getrusage(RUSAGE_CHILDREN); live ones by asking each for a report. Neither side's metering is counted:
/// each child leaves out its control thread, and the daemon leaves out the thread that asks.
/// </summary>
internal sealed class SubdaemonChildren
{
    /// <summary>Generous: a burst of logins on two cores queues a process start behind every other.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<SubdaemonChild> _live = [];
    private ChildReport _retired; // the last words of every reaped child, added up
    private long _started, _startFailures, _exitedClean, _exitedFailed, _killed;

    public long Started => Interlocked.Read(ref _started);

    public long StartFailures => Interlocked.Read(ref _startFailures);

    /// <summary>Reaped children by how they ended: exit code 0, another exit code, or a signal.</summary>
    public (long Clean, long Failed, long Killed) Exited =>
        (Interlocked.Read(ref _exitedClean), Interlocked.Read(ref _exitedFailed), Interlocked.Read(ref _killed));

    public int Live
    {
        get
        {
            lock (_gate)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>What asking the children for reports has cost this daemon's threads, to be left out of the daemon's figures.</summary>
    public ResourceUsage.Sample QueryCost { get; private set; }

    /// <summary>
    /// Launches at once: each starts a runtime (tens of milliseconds of CPU), so more than a few per core only queue in
    /// the scheduler, and a burst of connects would leave children starting long after their clients left.
    /// </summary>
    public static int MaxConcurrentLaunches { get; } = 2 * Environment.ProcessorCount;

    private readonly SemaphoreSlim _launching = new(MaxConcurrentLaunches);

    // --prefork: children started and warmed ahead of their logins, each replaced as a login takes it.
    private readonly ConcurrentQueue<SubdaemonChild> _warm = new();
    private ChildCommand? _warmCommand;
    private bool _warmOwnsClientSocket;
    private int _prefork, _warming;
    private bool _stopped;

    /// <summary>Warm children started, warmed and connected back, waiting for a login.</summary>
    public int WarmWaiting => _warm.Count;

    /// <summary>Keep <paramref name="count"/> children for <paramref name="command"/> started, warmed and waiting.</summary>
    public void Prefork(int count, ChildCommand command, bool ownsClientSocket)
    {
        lock (_gate)
        {
            (_prefork, _warmCommand, _warmOwnsClientSocket) = (count, command with { Warm = true }, ownsClientSocket);
        }
        Refill();
    }

    /// <summary>A child for <paramref name="client"/>'s session: a warm one if one waits; else one launched once a launch slot is free, if the client is still there then.</summary>
    public async Task<SubdaemonChild> LaunchAsync(ChildCommand command, bool ownsClientSocket, Socket client)
    {
        while (_warm.TryDequeue(out var warm))
        {
            if (!warm.Exited.IsCompleted)
            {
                Refill();
                return warm;
            }
            await EndAsync(warm); // died while it waited: counted, and the next one is tried
        }
        try
        {
            return await LaunchAsync(command, ownsClientSocket, () => HasLeft(client));
        }
        finally
        {
            Refill();
        }
    }

    /// <summary>Kill the warm children that no login took; no more are started.</summary>
    public async Task StopPreforkAsync()
    {
        lock (_gate)
        {
            _stopped = true;
        }
        while (_warm.TryDequeue(out var warm))
        {
            warm.Kill();
            await EndAsync(warm);
        }
    }

    private void Refill()
    {
        lock (_gate)
        {
            while (!_stopped && _warmCommand is not null && _warm.Count + _warming < _prefork)
            {
                _warming++;
                _ = WarmOneAsync(_warmCommand, _warmOwnsClientSocket);
            }
        }
    }

    /// <summary>One more warm child; a failed start is counted and left for the next login's refill to try again.</summary>
    private async Task WarmOneAsync(ChildCommand command, bool ownsClientSocket)
    {
        try
        {
            var child = await LaunchAsync(command, ownsClientSocket, clientLeft: () => false);
            bool stopped;
            lock (_gate)
            {
                stopped = _stopped;
                if (!stopped)
                {
                    _warm.Enqueue(child);
                }
            }
            if (stopped)
            {
                child.Kill();
                await EndAsync(child);
            }
        }
        catch (SubdaemonStartException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _warming--;
            }
        }
    }

    private async Task<SubdaemonChild> LaunchAsync(ChildCommand command, bool ownsClientSocket, Func<bool> clientLeft)
    {
        SubdaemonChild child;
        await _launching.WaitAsync();
        try
        {
            if (clientLeft())
            {
                throw new SubdaemonStartException("the client left before its subdaemon started: none was launched");
            }
            child = await SubdaemonChild.LaunchAsync(command, ownsClientSocket, StartTimeout);
        }
        catch (SubdaemonStartException)
        {
            Interlocked.Increment(ref _startFailures);
            throw;
        }
        finally
        {
            _launching.Release();
        }
        Interlocked.Increment(ref _started);
        lock (_gate)
        {
            _live.Add(child);
        }
        return child;
    }

    /// <summary>Readable with nothing to read is a FIN or a reset: nobody is left to serve. One poll, no byte taken.</summary>
    private static bool HasLeft(Socket client)
    {
        try
        {
            return client.Poll(0, SelectMode.SelectRead) && client.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Wait for the child to exit, then account for it; the session that launched a child ends it this way.</summary>
    public async Task EndAsync(SubdaemonChild child)
    {
        await child.Exited;
        Retire(child);
    }

    /// <summary>Ask every live child for a fresh report and add everything up. Call on one thread at a time.</summary>
    public ChildrenReading Read()
    {
        SubdaemonChild[] asking;
        lock (_gate)
        {
            // A child reaped but not yet retired would be counted twice, by RUSAGE_CHILDREN and by its last report.
            for (int i = _live.Count - 1; i >= 0; i--)
            {
                if (_live[i].Exited.IsCompleted)
                {
                    Retire(_live[i]);
                }
            }
            asking = [.. _live];
        }

        // Outside the lock: a child slow to answer must not hold up launches and reaps.
        var before = ResourceUsage.ReadThisThread();
        foreach (var child in asking)
        {
            child.TryRefresh();
        }
        QueryCost += ResourceUsage.ReadThisThread() - before;

        lock (_gate)
        {
            var live = default(ChildReport);
            foreach (var child in _live)
            {
                live += Counted(child, child.Last);
            }
            // Reaped children in full, less what their control threads spent on reports, plus the live ones' reports.
            var usage = ResourceUsage.ReadReapedChildren() - _retired.Metering + live.Usage - live.Metering;
            var all = _retired + live;
            return new ChildrenReading(
                ProcessCounters.From(usage, all.AllocatedBytes, all.GcCollections), all.Echo);
        }
    }

    /// <summary>
    /// A relay child echoes to the daemon, which counts the client's bytes itself; only a process child's are the
    /// session's. A relay child's copies are the relay's extra cost, and they count.
    /// </summary>
    private static ChildReport Counted(SubdaemonChild child, ChildReport report) =>
        child.OwnsClientSocket ? report : report with { Echo = report.Echo.CopiesOnly() };

    /// <summary>Fold a reaped child into the totals, once; both <see cref="EndAsync"/> and <see cref="Read"/> may get here first.</summary>
    private void Retire(SubdaemonChild child)
    {
        lock (_gate)
        {
            if (!_live.Remove(child))
            {
                return;
            }
            _retired += Counted(child, child.Retire());
            int exitCode = child.ExitCode;
            Interlocked.Increment(ref exitCode == 0 ? ref _exitedClean : ref exitCode > 128 ? ref _killed : ref _exitedFailed);
        }
    }
}
