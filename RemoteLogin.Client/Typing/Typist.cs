using RemoteLogin.Client.Strategies;

namespace RemoteLogin.Client.Typing;

/// <summary>
/// One simulated typist on a <see cref="TypingLoop"/>: its session, the source of its gaps (seeded per session, so a
/// seed types the same text at the same intended times), and where it stands: its next character's due time.
/// </summary>
internal sealed class Typist(int index, ClientTransport session, Random gaps)
{
    public int Index { get; } = index;

    public ClientTransport Session { get; } = session;

    /// <summary>Why this typist stopped for good (its connection broke, or a send never went out); null while it types.</summary>
    public string? Failure { get; private set; }

    internal Random Gaps { get; } = gaps;

    /// <summary>When the next character is due (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    internal long Due { get; set; }

    /// <summary>Since when the typist has been held up (a send in the background, or no room); 0 while it is not.</summary>
    internal long StuckSince { get; set; }

    internal void Fail(string why)
    {
        Failure ??= $"session {Index}: {why}";
        Session.Window.MarkOutstandingLost(); // what it typed and was not echoed will never be
    }
}
