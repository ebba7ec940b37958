namespace RemoteLogin.Vocabulary;

/// <summary>The one mapping between vocabulary enums and their names on the command line, in tables and in results.json.</summary>
public static class VocabularyNames
{
    public static string Name<T>(this T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => v.Name()).ToArray();

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
