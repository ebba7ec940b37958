using System.Globalization;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Processes;

/// <summary>The one harness the bench and the tests run child programs with, against real children (sh, sleep, the daemon).</summary>
public sealed class ChildHarnessTests
{
    /// <summary>Short, so the test is cheap: the child sleeps for ten minutes, so no machine is slow enough to make it end first.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0)]
    [InlineData(1 << 20)] // more than a pipe holds, to a child that never reads it: the write itself hangs
    public async Task A_hung_child_is_killed_at_the_limit_and_the_outcome_says_so(int stdinBytes)
    {
        var outcome = await ChildRun.RunAsync(
            ChildStart.Stock("sh", "-c", "echo $$; exec sleep 600") with { Description = "the sleeper" },
            ChildInput.Bytes(new byte[stdinBytes]),
            Limit);

        Assert.True(outcome.Hung);
        Assert.Equal(Limit, outcome.KilledAfter);
        Assert.False(outcome.Succeeded);
        var noExitCode = Assert.Throws<TimeoutException>(() => outcome.ExitCode);
        Assert.StartsWith("the sleeper did not finish within 1 s and was killed", noExitCode.Message);
        int pid = int.Parse(outcome.StandardOutput.Trim(), CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the sleeper (pid {pid}) still runs");
    }

    [Fact]
    public async Task A_failed_child_is_told_with_its_exit_code_and_the_tail_of_its_stderr()
    {
        const string script = "echo 'Unhandled exception. System.Exception: boom' >&2; for i in $(seq 1 30); do echo \"frame $i\" >&2; done; exit 3";
        var outcome = await ChildRun.RunAsync(ChildStart.Stock("sh", "-c", script) with { Description = "the crasher" });

        Assert.Equal(3, outcome.ExitCode);
        var failure = Assert.Throws<InvalidOperationException>(outcome.ThrowIfFailed);
        Assert.StartsWith("the crasher exited with 3; stderr: Unhandled exception. System.Exception: boom\nframe 11\n", failure.Message);
        Assert.EndsWith("\nframe 30", failure.Message);
        Assert.DoesNotContain("frame 10\n", failure.Message);
    }

    [Fact]
    public void A_daemon_that_refuses_its_arguments_is_named_with_its_stderr_where_its_first_line_was_due()
    {
        using var daemon = ChildProcess.Start(ChildStart.Sibling("RemoteLogin.Server", ["--listen", "nowhere"]) with { Description = "the daemon" });

        var failure = Assert.Throws<InvalidOperationException>(() => daemon.FirstLine(TimeSpan.FromMinutes(1)));

        Assert.StartsWith("the daemon exited with 2; stderr: ", failure.Message);
        Assert.Contains("--listen", failure.Message);
        Assert.Equal(2, daemon.ExitCode);
    }

    [Fact]
    public async Task A_wrapped_start_runs_the_program_under_the_wrapper_with_its_environment_and_name()
    {
        var start = ChildStart.Stock("sh", "-c", "printf %s \"$HARNESS_TAG\"")
            .WithEnvironment(new Dictionary<string, string> { ["HARNESS_TAG"] = "kept" }) with { Description = "the tagged" };

        var wrapped = start.Under("env", "-u", "UNRELATED");
        var outcome = await ChildRun.RunAsync(wrapped);

        Assert.Equal(["-u", "UNRELATED", "sh", "-c", "printf %s \"$HARNESS_TAG\""], wrapped.Arguments);
        Assert.Equal("the tagged", wrapped.Description);
        Assert.True(outcome.Succeeded, outcome.Failure);
        Assert.Equal("kept", outcome.StandardOutput);
    }

    [Fact]
    public void A_sibling_that_is_not_built_is_named()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => ChildStart.Sibling("RemoteLogin.Absent", [], Path.GetTempPath()));
        Assert.Contains("RemoteLogin.Absent is not built", missing.Message);
    }
}
