using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// Where a RemoteLogin program runs: this machine (<see cref="LocalProgramHost"/>), or a lab host reached over ssh.
/// The bench starts the daemon, the load client and the floors' halves through one of these, and nothing else of it
/// knows which.
/// </summary>
internal interface IProgramHost
{
    /// <summary>"local", or the ssh target as the user gave it ([USER@]HOST).</summary>
    string Name { get; }

    bool IsLocal { get; }

    /// <summary>
    /// RemoteLogin.Server, RemoteLogin.Client or RemoteLogin.Bench on this host, to start with <see cref="ChildProcess"/>.
    /// On a lab host the process started is ssh: the program's streams are ssh's, and closing its standard input (or
    /// ssh's end) makes the program's tether there SIGTERM it, so nothing outlives the bench.
    /// </summary>
    ChildStart Program(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null);

    /// <summary>A path on this host where a program may write a file of this name for the bench to fetch.</summary>
    string ScratchPath(string fileName);

    /// <summary>Copy a file written on this host (at <paramref name="path"/>) to <paramref name="localPath"/> here.</summary>
    void Fetch(string path, string localPath);

    /// <summary>
    /// Ask a program started from <see cref="Program"/> to end as SIGTERM does (the daemon drains): locally SIGTERM;
    /// on a lab host, its standard input is closed and the tether there sends the SIGTERM.
    /// </summary>
    void Terminate(ChildProcess started);
}
