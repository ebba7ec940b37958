namespace RemoteLogin.Tests.Support;

/// <summary>A fresh folder under the temporary directory for one test's output, deleted with everything in it afterwards.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"remotelogin-{prefix}-{Guid.NewGuid():N}");
    }

    /// <summary>Not created: the program under test makes it, as a user's --out would be.</summary>
    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
