using RemoteLogin.Native;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Hosts;

/// <summary>The tether that every lab-host program runs under, run here as a real process: what it relays, and when it ends the program.</summary>
public sealed class TetherTests
{
    [Fact]
    public async Task Stdin_reaches_the_program_as_it_arrives_with_the_environment_given_and_its_end_ends_the_program()
    {
        // The end of stdin reaches the program twice, as its own end of input and then as the tether's SIGTERM, in an
        // order the scheduler picks: the program exits 0 on either, so the code seen says only that it ended, and how.
        using var tether = Start(["--env", "GREETING=hello there", "--", "/bin/sh", "-c", "trap 'exit 0' TERM; echo \"$GREETING\"; cat"]);

        Assert.Equal("hello there", await tether.ReadLineAsync(Eventually.Generous));
        // A line, flushed, and stdin still open: cat can only echo it if the tether passed it on at once.
        await tether.Input.WriteLineAsync("snapshot");
        await tether.Input.FlushAsync();
        Assert.Equal("snapshot", await tether.ReadLineAsync(Eventually.Generous));

        tether.Input.Close();

        await tether.WaitForExitAsync().WaitAsync(Eventually.Generous);
        Assert.Equal(0, tether.ExitCode);
    }

    [Fact]
    public async Task A_sigterm_to_the_tether_reaches_the_program_and_the_tether_exits_with_its_code()
    {
        // The program reports the SIGTERM and exits 5, so the code seen is the program's and not the tether's own.
        using var tether = Start(["--", "/bin/sh", "-c", "trap 'echo terminated; exit 5' TERM; echo ready; while :; do sleep 1; done"]);
        Assert.Equal("ready", await tether.ReadLineAsync(Eventually.Generous));

        Posix.Terminate(tether.Id);

        Assert.Equal("terminated", await tether.ReadLineAsync(Eventually.Generous));
        await tether.WaitForExitAsync().WaitAsync(Eventually.Generous);
        Assert.Equal(5, tether.ExitCode);
    }

    [Fact]
    public async Task A_program_that_ends_on_its_own_gives_the_tether_its_exit_code()
    {
        using var tether = Start(["--", "/bin/sh", "-c", "exit 7"]);

        await tether.WaitForExitAsync().WaitAsync(Eventually.Generous);

        Assert.Equal(7, tether.ExitCode);
    }

    private static ChildProcess Start(string[] arguments) => ChildProcess.Start(ChildStart.Sibling("RemoteLogin.Bench", ["tether", .. arguments]));
}
