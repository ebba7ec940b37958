using System.Buffers;
using System.Text;
using RemoteLogin.Client.Connect;

namespace RemoteLogin.Tests.Connect;

/// <summary>rlogin's "~." escape, typed in any grouping of reads.</summary>
public class TildeEscapeTests
{
    [Theory]
    [InlineData("~.", "", true)]
    [InlineData("ls\r~.", "ls\r", true)]
    [InlineData("ls\n~.", "ls\n", true)]
    [InlineData("a~.", "a~.", false)]
    [InlineData("~~.", "~.", false)]
    [InlineData("~x", "~x", false)]
    [InlineData("~\r~.", "~\r", true)]
    [InlineData("\r~~~.", "\r~~.", false)]
    [InlineData("~", "", false)]
    public void The_escape_is_read_at_the_start_of_a_line_only(string typed, string sent, bool ends)
    {
        var bytes = Encoding.ASCII.GetBytes(typed);
        // Whole, and one key per read (as a raw terminal delivers them): the same outcome.
        foreach (int readSize in new[] { bytes.Length, 1 })
        {
            var escape = new TildeEscape();
            var output = new ArrayBufferWriter<byte>();
            var outcome = EscapeOutcome.Continue;
            for (int at = 0; at < bytes.Length && outcome == EscapeOutcome.Continue; at += Math.Max(readSize, 1))
            {
                outcome = escape.Filter(bytes.AsSpan(at, Math.Min(Math.Max(readSize, 1), bytes.Length - at)), output);
            }
            Assert.Equal(sent, Encoding.ASCII.GetString(output.WrittenSpan));
            Assert.Equal(ends, outcome == EscapeOutcome.EndSession);
        }
    }
}
