using System.Diagnostics;

namespace RemoteLogin.Processes;

/// <summary>
/// What to run as a child program: a sibling RemoteLogin program or a stock one, its arguments, environment and working
/// directory, and the name its messages give it. Immutable, so a host or a placement can wrap it
/// (<see cref="Under"/>) without reaching into a <see cref="ProcessStartInfo"/> someone else still holds.
/// </summary>
public sealed record ChildStart(string FileName, IReadOnlyList<string> Arguments)
{
    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary>Set in the child's environment over what it inherits.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = NoVariables;

    public string? WorkingDirectory { get; init; }

    /// <summary>How failures name it ("the daemon", "the blocking floor's echo on HOST"); the program's file name unless given.</summary>
    public string Description { get => _description ?? Path.GetFileName(FileName); init => _description = value; }

    private readonly string? _description;

    /// <summary>A program of the machine, found on PATH as a shell would.</summary>
    public static ChildStart Stock(string program, params IEnumerable<string> arguments) => new(program, [.. arguments]);

    /// <summary>RemoteLogin.Server, RemoteLogin.Client or RemoteLogin.Bench, built in <paramref name="directory"/> (beside this program unless given).</summary>
    /// <exception cref="FileNotFoundException">It is not built there.</exception>
    public static ChildStart Sibling(string name, IEnumerable<string> arguments, string? directory = null)
    {
        directory ??= AppContext.BaseDirectory;
        string appHost = Path.Combine(directory, name);
        string assembly = Path.Combine(directory, name + ".dll");
        if (File.Exists(appHost))
        {
            return new ChildStart(appHost, [.. arguments]) { Description = name };
        }
        if (File.Exists(assembly))
        {
            return new ChildStart("dotnet", [assembly, .. arguments]) { Description = name };
        }
        throw new FileNotFoundException($"{name} is not built beside {directory}; build the solution first", assembly);
    }

    /// <summary>The same with these variables set too (later ones win).</summary>
    public ChildStart WithEnvironment(IReadOnlyDictionary<string, string>? variables)
    {
        if (variables is null || variables.Count == 0)
        {
            return this;
        }
        var merged = new Dictionary<string, string>(Environment);
        foreach (var (name, value) in variables)
        {
            merged[name] = value;
        }
        return this with { Environment = merged };
    }

    /// <summary>
    /// The same program run by <paramref name="wrapper"/> (taskset, perf, ip netns exec): its file name and arguments
    /// become the wrapper's last arguments. The environment, directory and description stay.
    /// </summary>
    public ChildStart Under(string wrapper, params IEnumerable<string> wrapperArguments) =>
        this with { FileName = wrapper, Arguments = [.. wrapperArguments, FileName, .. Arguments], Description = Description };

    /// <summary>The command line as one line, for messages.</summary>
    public string CommandLine => string.Join(' ', [FileName, .. Arguments]);

    /// <param name="redirect">False to let the child share this process's stdin, stdout and stderr.</param>
    public ProcessStartInfo ToStartInfo(bool redirect = true)
    {
        var info = new ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = redirect,
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
        };
        if (WorkingDirectory is not null)
        {
            info.WorkingDirectory = WorkingDirectory;
        }
        foreach (var argument in Arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }
        return info;
    }
}
