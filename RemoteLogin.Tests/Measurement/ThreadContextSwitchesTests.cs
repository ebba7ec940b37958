using RemoteLogin.Measurement;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Measurement;

/// <summary>Per-thread context switches read from /proc: counted while a thread lives, and a thread that exits is reported, not lost silently.</summary>
public class ThreadContextSwitchesTests
{
    private const int Sleeps = 50;

    [Fact]
    public void A_live_thread_that_sleeps_counts_a_voluntary_switch_per_sleep()
    {
        using var done = new ManualResetEventSlim(false, spinCount: 0);
        using var sleptAll = new ManualResetEventSlim(false, spinCount: 0);
        using var started = new ManualResetEventSlim(false, spinCount: 0);
        var sleeper = new Thread(() =>
        {
            started.Set();
            for (int i = 0; i < Sleeps; i++)
            {
                Thread.Sleep(1); // nanosleep: the thread leaves the CPU every time
            }
            sleptAll.Set();
            done.Wait(); // still alive when the second reading is taken
        });
        sleeper.Start();
        started.Wait();
        var before = ThreadContextSwitches.Read(Environment.ProcessId);
        sleptAll.Wait();

        var between = ThreadContextSwitches.Read(Environment.ProcessId).Since(before);

        done.Set();
        sleeper.Join();
        Assert.True(between.Voluntary >= Sleeps, $"{between.Voluntary} voluntary switches for {Sleeps} sleeps");
    }

    [Fact]
    public async Task A_thread_that_exits_between_the_readings_is_counted_as_exited()
    {
        using var go = new ManualResetEventSlim(false, spinCount: 0);
        var leaver = new Thread(() => go.Wait());
        leaver.Start();
        var before = ThreadContextSwitches.Read(Environment.ProcessId);
        go.Set();
        leaver.Join();
        // Join returns once the runtime is done with the thread; the kernel's task may linger a moment longer.
        await Eventually.AssertAsync(
            () => ThreadContextSwitches.Read(Environment.ProcessId).Since(before).ThreadsExited >= 1, "the exited thread is reported");
    }
}
