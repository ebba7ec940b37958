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
            var first = parsed.Errors[0].Message.ReplaceLineEndings(" ");
            Console.Error.WriteLine($"{root.Name}: error: {first} (see --help)");
            return BadArguments;
        }
        return await parsed.InvokeAsync();
    }
}
