using RemoteLogin.Bench.Counters;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// perf stat as the bench uses it for system calls: the check that it can count here, which must never lose a race
/// with its own workload, and the reading of its CSV lines. CI installs linux-perf and runs as root; where perf cannot
/// count, the check's test fails with perf's reason.
/// </summary>
public class PerfSyscallsTests
{
    private const string Event = "raw_syscalls:sys_enter";

    [Fact]
    public void The_check_says_perf_counts_here_every_time_it_is_asked()
    {
        // Its workload once ended before perf read "enable", and the check then failed 11 times in 12; one failure in
        // 100 is a race still there.
        for (int launch = 1; launch <= 100; launch++)
        {
            string? unavailable = PerfSyscalls.ProbeOnce();
            Assert.True(unavailable is null, $"launch {launch} of 100: {unavailable}");
        }
    }

    // The lines below are what `perf stat -x, -e raw_syscalls:sys_enter -o FILE` writes on Debian 12's perf 6.1
    // (with --delay -1 for the count of a process that never ran after "enable").
    private static readonly string[] Header = ["# started on Tue Dec  1 19:46:52 2026", ""];

    [Fact]
    public void A_count_is_its_number()
    {
        Assert.Equal(29, PerfSyscalls.Parse([.. Header, $"29,,{Event},1122615,100.00,,"]));
    }

    [Fact]
    public void Not_counted_with_no_running_time_is_0()
    {
        Assert.Equal(0, PerfSyscalls.Parse([.. Header, $"<not counted>,,{Event},0,100.00,,"]));
    }

    [Fact]
    public void Not_counted_while_it_ran_is_no_number()
    {
        Assert.Null(PerfSyscalls.Parse([.. Header, $"<not counted>,,{Event},1122615,100.00,,"]));
    }

    [Fact]
    public void Not_supported_is_no_number()
    {
        Assert.Null(PerfSyscalls.Parse([.. Header, $"<not supported>,,{Event},0,100.00,,"]));
    }

    [Fact]
    public void Lines_of_other_events_and_other_text_are_passed_over()
    {
        string[] lines =
        [
            .. Header,
            "Events disabled",
            "<not supported>,,cycles,0,100.00,,",
            "468339,,raw_syscalls:sys_exit,468339,100.00,,",
            $"4242,,{Event},468339,100.00,,",
        ];
        Assert.Equal(4242, PerfSyscalls.Parse(lines));
        Assert.Null(PerfSyscalls.Parse([.. Header, "<not supported>,,cycles,0,100.00,,"]));
        Assert.Null(PerfSyscalls.Parse([]));
    }
}
