namespace RemoteLogin.Processes;

/// <summary>A failed child's last words, told one way wherever a child fails: "{who} {how}; stderr: {lines}" (one line when it wrote one).</summary>
public static class StderrTail
{
    public const int DefaultLines = 20;

    /// <summary>
    /// The last <paramref name="count"/> non-empty lines of <paramref name="stderr"/>. A .NET crash's first line says what
    /// happened and its last only the deepest frame of the stack, so an "Unhandled exception" line above the tail leads it.
    /// </summary>
    public static IReadOnlyList<string> Lines(string stderr, int count = DefaultLines)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tail = lines.TakeLast(count).ToList();
        int crash = Array.FindIndex(lines, line => line.StartsWith("Unhandled exception", StringComparison.Ordinal));
        if (crash >= 0 && crash < lines.Length - tail.Count)
        {
            tail.Insert(0, lines[crash]);
        }
        return tail;
    }

    public static string Message(string who, string how, string stderr, int count = DefaultLines)
    {
        var tail = Lines(stderr, count);
        return tail.Count == 0 ? $"{who} {how}; nothing on stderr" : $"{who} {how}; stderr: {string.Join('\n', tail)}";
    }
}
