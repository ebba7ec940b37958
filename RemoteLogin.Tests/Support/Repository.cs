namespace RemoteLogin.Tests.Support;

/// <summary>The checkout the tests were built from: where its tool manifest (dotnet-counters) and projects are.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RemoteLogin.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no RemoteLogin.sln above {AppContext.BaseDirectory}");
    }
}
