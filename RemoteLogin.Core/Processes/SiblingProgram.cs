using System.Diagnostics;

namespace RemoteLogin.Processes;

/// <summary>Start info for another RemoteLogin program built beside this one, for a caller that runs the process itself (the daemon's subdaemon children); everything else runs children through <see cref="ChildProcess"/>.</summary>
public static class SiblingProgram
{
    /// <param name="redirectStandardStreams">False to let the program share this one's stdin, stdout and stderr.</param>
    /// <param name="directory">Where the program is built; beside this one unless given.</param>
    public static ProcessStartInfo StartInfo(
        string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool redirectStandardStreams = true,
        string? directory = null) =>
        ChildStart.Sibling(name, arguments, directory).WithEnvironment(environment).ToStartInfo(redirectStandardStreams);
}
