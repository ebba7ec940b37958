using System.Text;
using System.Text.RegularExpressions;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Docs;

/// <summary>
/// README.md and every page under docs/ link only to what the repository holds (files and the headings within them)
/// or to public web pages: a moved section or a renamed file breaks a test, not a reader's click.
/// </summary>
public partial class LinkTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string>();
        foreach (var page in MarkdownPages())
        {
            pages.Add(Path.GetRelativePath(Repository.Root, page));
        }
        return pages;
    }

    [Fact]
    public void The_readme_and_the_docs_are_there_to_check() =>
        Assert.Contains(Path.Combine("docs", "methodology.md"), MarkdownPages().Select(p => Path.GetRelativePath(Repository.Root, p)));

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_link_resolves_inside_the_repository_or_is_a_public_web_page(string page)
    {
        string path = Path.Combine(Repository.Root, page);
        var broken = Links(File.ReadAllText(path)).Select(target => (target, why: Broken(path, target))).Where(l => l.why is not null).ToList();
        Assert.True(broken.Count == 0, $"{page}: " + string.Join("; ", broken.Select(l => $"({l.target}) {l.why}")));
    }

    [Fact]
    public void A_missing_file_a_missing_heading_and_a_path_out_of_the_repository_are_each_found()
    {
        string readme = Path.Combine(Repository.Root, "README.md");
        Assert.Null(Broken(readme, "docs/methodology.md#columns"));
        Assert.Null(Broken(readme, "#what-is-measured"));
        Assert.Null(Broken(readme, "https://www.rfc-editor.org/rfc/rfc854"));
        Assert.NotNull(Broken(readme, "docs/no-such-page.md"));
        Assert.NotNull(Broken(readme, "docs/methodology.md#no-such-heading"));
        Assert.NotNull(Broken(readme, "../DESIGN.md"));
        Assert.NotNull(Broken(readme, "/etc/hostname"));
        Assert.NotNull(Broken(readme, "file:///etc/hostname"));
        Assert.NotNull(Broken(readme, "http://localhost:5513/"));
    }

    [Fact]
    public void Anchors_are_made_from_headings_as_GitHub_makes_them()
    {
        var anchors = Anchors("# The micro suite (BenchmarkDotNet)\n## Reading the micro suite's tables\n```\n# not a heading\n```\n## Columns\n## Columns\n### `--report`: the repository's report\n");
        Assert.Equal(["the-micro-suite-benchmarkdotnet", "reading-the-micro-suites-tables", "columns", "columns-1", "--report-the-repositorys-report"], anchors);
    }

    private static IEnumerable<string> MarkdownPages() =>
        new[] { Path.Combine(Repository.Root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Repository.Root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));

    /// <summary>Why a link from <paramref name="page"/> to <paramref name="target"/> leads nowhere, or null when it resolves.</summary>
    private static string? Broken(string page, string target)
    {
        if (WebLink().IsMatch(target))
        {
            return PrivateHost().IsMatch(target) ? "a web link to this machine or a private network, which no reader reaches" : null;
        }
        if (Scheme().IsMatch(target) || target.StartsWith('/'))
        {
            return "leaves the repository (only relative links and http(s) to public sites)";
        }
        int hash = target.IndexOf('#');
        string file = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        string anchor = hash < 0 ? "" : target[(hash + 1)..];
        string resolved = file.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, file));
        if (!resolved.StartsWith(Repository.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return "leaves the repository";
        }
        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            return "no such file";
        }
        if (anchor.Length == 0)
        {
            return null;
        }
        if (!resolved.EndsWith(".md", StringComparison.Ordinal) || !File.Exists(resolved))
        {
            return "an anchor into something that is not a markdown page";
        }
        return Anchors(File.ReadAllText(resolved)).Contains(Uri.UnescapeDataString(anchor)) ? null : $"no heading makes #{anchor}";
    }

    /// <summary>Every link target of a page: inline links and images, reference definitions and autolinks, outside code.</summary>
    private static IEnumerable<string> Links(string markdown)
    {
        string prose = InlineCode().Replace(WithoutFencedCode(markdown), "");
        return InlineLink().Matches(prose).Select(m => m.Groups["target"].Value)
            .Concat(ReferenceDefinition().Matches(prose).Select(m => m.Groups["target"].Value))
            .Concat(AutoLink().Matches(prose).Select(m => m.Groups["target"].Value));
    }

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static List<string> Anchors(string markdown)
    {
        var anchors = new List<string>();
        var seen = new Dictionary<string, int>();
        foreach (var line in WithoutFencedCode(markdown).Split('\n'))
        {
            var heading = Heading().Match(line);
            if (!heading.Success)
            {
                continue;
            }
            var slug = new StringBuilder();
            foreach (char c in heading.Groups["text"].Value.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }
            string anchor = slug.ToString();
            int repeats = seen.GetValueOrDefault(anchor);
            seen[anchor] = repeats + 1;
            anchors.Add(repeats == 0 ? anchor : $"{anchor}-{repeats}");
        }
        anchors.AddRange(HtmlAnchor().Matches(markdown).Select(m => m.Groups["name"].Value));
        return anchors;
    }

    /// <summary>The page with every fenced code block's lines emptied, so a '#' comment or a bracket in a command is not read as markdown.</summary>
    private static string WithoutFencedCode(string markdown)
    {
        var text = new StringBuilder();
        bool inFence = false;
        foreach (var line in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            bool fence = line.TrimStart().StartsWith("```", StringComparison.Ordinal) || line.TrimStart().StartsWith("~~~", StringComparison.Ordinal);
            text.Append(inFence || fence ? "" : line).Append('\n');
            inFence ^= fence;
        }
        return text.ToString();
    }

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\((?<target><[^>]*>|[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"<(?<target>[a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"<a\s+(?:name|id)=""(?<name>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlAnchor();

    [GeneratedRegex(@"^https?://", RegexOptions.IgnoreCase)]
    private static partial Regex WebLink();

    [GeneratedRegex(@"^https?://(?:localhost|127\.|10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|198\.1[89]\.|\[::1\])", RegexOptions.IgnoreCase)]
    private static partial Regex PrivateHost();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
