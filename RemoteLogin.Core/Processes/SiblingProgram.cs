using System.Diagnostics;

namespace RemoteLogin.Processes;

/// <summary>Starts another RemoteLogin program built beside this one (the bench and the tests run the daemon and the client as real child processes).</summary>
public static class SiblingProgram
{
    /// <param name="redirectStandardStreams">False to let the program share this one's stdin, stdout and stderr.</param>
    /// <param name="directory">Where the program is built; beside this one unless given.</param>
    public static ProcessStartInfo StartInfo(
        string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool redirectStandardStreams = true,
        string? directory = null)
    {
        directory ??= AppContext.BaseDirectory;
        string appHost = Path.Combine(directory, name);
        string assembly = Path.Combine(directory, name + ".dll");
        if (!File.Exists(appHost) && !File.Exists(assembly))
        {
            throw new FileNotFoundException($"{name} is not built beside {directory}; build the solution first", assembly);
        }
        var info = File.Exists(appHost) ? new ProcessStartInfo(appHost) : new ProcessStartInfo("dotnet") { ArgumentList = { assembly } };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        info.UseShellExecute = false;
        info.RedirectStandardInput = redirectStandardStreams;
        info.RedirectStandardOutput = redirectStandardStreams;
        info.RedirectStandardError = redirectStandardStreams;
        return info;
    }
}
