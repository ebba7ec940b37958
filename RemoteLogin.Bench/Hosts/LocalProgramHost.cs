using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// The bench's own machine: the programs built beside the bench, or in <paramref name="programDirectory"/> (a run with
/// lab hosts runs the same publish here as there); files in its output folder.
/// </summary>
internal sealed class LocalProgramHost(string scratchDirectory, string? programDirectory = null) : IProgramHost
{
    public string Name => "local";

    public bool IsLocal => true;

    public ChildStart Program(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        ChildStart.Sibling(program, arguments, programDirectory).WithEnvironment(environment);

    public string ScratchPath(string fileName) => Path.Combine(scratchDirectory, fileName);

    public void Fetch(string path, string localPath)
    {
        if (Path.GetFullPath(path) != Path.GetFullPath(localPath))
        {
            File.Copy(path, localPath, overwrite: true);
        }
    }

    public void Terminate(ChildProcess started) => started.Terminate();
}
