using System.CommandLine;

namespace RemoteLogin.Cli;

/// <summary>The error policy every RemoteLogin program shares: a bad argument gives one line naming it and exit code 2.</summary>
public static class CommandLineRunner
{
    public const int BadArguments = 2;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            return Reject(parsed, parsed.Errors[0].Message);
        }
        return await parsed.InvokeAsync();
    }

    /// <summary>For a rule that spans several options and is checked once all are parsed: same line, same exit code.</summary>
    public static int Reject(ParseResult parsed, string message)
    {
        Console.Error.WriteLine($"{parsed.RootCommandResult.Command.Name}: error: {message.ReplaceLineEndings(" ")} (see --help)");
        return BadArguments;
    }
}
