using RemoteLogin.Tests.Support;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Cli;

/// <summary>Bad arguments give exit code 2 and one line that names the argument, from every program.</summary>
public class BadArgumentTests
{
    [Theory]
    [InlineData("RemoteLogin.Server", "--listen", new[] { "--listen", "127.0.0.1:70000" })]
    [InlineData("RemoteLogin.Server", "--echo", new[] { "--echo", "telepathy" })]
    [InlineData("RemoteLogin.Server", "--listen", new[] { "--listen", "nowhere" })]
    [InlineData("RemoteLogin.Client", "--port", new[] { "load", "--port", "70000" })]
    [InlineData("RemoteLogin.Client", "--strategy", new[] { "load", "--strategy", "telepathy" })]
    [InlineData("RemoteLogin.Client", "--chars", new[] { "load", "--chars", "-5" })]
    [InlineData("RemoteLogin.Client", "--scenario", new[] { "load", "--scenario", "dance" })]
    // mux is a concentrator's, not a terminal's: no client opens it.
    [InlineData("RemoteLogin.Client", "--protocol", new[] { "load", "--protocol", "mux" })]
    [InlineData("RemoteLogin.Client", "--protocol", new[] { "connect", "127.0.0.1", "--protocol", "mux" })]
    [InlineData("RemoteLogin.Client", "--protocol", new[] { "concentrator", "--protocol", "mux" })]
    [InlineData("RemoteLogin.Client", "--flush-delay", new[] { "concentrator", "--flush-delay", "-1" })]
    [InlineData("RemoteLogin.Client", "--upstream", new[] { "concentrator", "--upstream", "nowhere" })]
    // The concentrator scenario is the bench's: a load client types at whatever it is pointed at.
    [InlineData("RemoteLogin.Client", "--scenario", new[] { "load", "--scenario", "concentrator" })]
    [InlineData("RemoteLogin.Bench", "--flush-delay", new[] { "--flush-delay", "soon" })]
    [InlineData("RemoteLogin.Bench", "--protocols", new[] { "--protocols", "raw,mux" })]
    [InlineData("RemoteLogin.Bench", "--strategies", new[] { "--strategies", "naive,telepathy" })]
    [InlineData("RemoteLogin.Bench", "--rounds", new[] { "--rounds", "0" })]
    [InlineData("RemoteLogin.Bench", "--client-strategy", new[] { "--client-strategy", "telepathy" })]
    [InlineData("RemoteLogin.Bench", "--typists", new[] { "--typists", "10001" })]
    [InlineData("RemoteLogin.Bench", "--load-hosts", new[] { "--load-hosts", "local,lab1" })]
    [InlineData("RemoteLogin.Bench", "--data-address", new[] { "--daemon-host", "lab1", "--data-address", "nowhere" })]
    [InlineData("RemoteLogin.Bench", "--placement", new[] { "--daemon-host", "lab1", "--placement", "split" })]
    public async Task Exit_code_2_and_one_line_naming_the_argument(string program, string argument, string[] arguments)
    {
        var outcome = await ChildRun.RunAsync(program, arguments);

        Assert.Equal(2, outcome.ExitCode);
        var line = Assert.Single(outcome.ErrorLines);
        Assert.Contains(argument, line);
        Assert.Equal("", outcome.StandardOutput);
    }

    [Theory]
    [InlineData("RemoteLogin.Server")]
    [InlineData("RemoteLogin.Client")]
    [InlineData("RemoteLogin.Bench")]
    public async Task Help_is_there_and_exits_0(string program)
    {
        var outcome = await ChildRun.RunAsync(program, "--help");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("Usage:", outcome.StandardOutput);
    }
}
