using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Load;

/// <summary>What a run is sized to when the user does not say: each scenario takes seconds, not minutes.</summary>
internal static class ScenarioDefaults
{
    private const double TypistsSeconds = 5;

    public static int Sessions(Scenario scenario) => scenario == Scenario.Typists ? 20 : 1;

    /// <summary>
    /// A paste by a strategy that gathers runs at hundreds of millions of characters a second, so it types 200 M to last
    /// a fraction of a second rather than a millisecond; a naive paste, one system call a character, types 1 M.
    /// </summary>
    public static long Chars(Scenario scenario, BufferStrategy strategy, int sessions, double charsPerSecond) => scenario switch
    {
        Scenario.Interactive => 20_000,
        Scenario.Paste => strategy == BufferStrategy.Naive ? 1_000_000 : 200_000_000,
        Scenario.Typists => Math.Max(sessions, (long)(sessions * charsPerSecond * TypistsSeconds)),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    public static long Warmup(long chars) => chars / 10;

    /// <summary>
    /// A paste's window: large enough that it never limits the paste on loopback or a LAN. It must cover the bandwidth
    /// times the round trip of a burst in flight; on loopback here a zero-copy paste against a zero-copy daemon stops
    /// gaining at 256 K characters (1.0 G chars/s at 128 K, 1.4 to 2.0 G from 256 K on, bursts back in ~150 µs), so
    /// 1 M leaves four times that for a LAN's longer round trip (10 Gbit/s for 800 µs) while the ring stays small
    /// enough to sit in cache (16 M was slower again). The window is one pinned ring of this many bytes per session.
    /// </summary>
    public const int PasteWindow = 1 << 20;

    /// <summary>
    /// A keystroke scenario's window: an interactive user has one character outstanding and a typist a few, so this
    /// only bounds a stalled session, and thousands of typists must not each hold a paste's megabyte.
    /// </summary>
    public const int KeystrokeWindow = 4096;

    /// <summary>Characters that may await their echo at once when <c>--window</c> is not given.</summary>
    public static int Window(Scenario scenario) => scenario switch
    {
        Scenario.Paste => PasteWindow,
        Scenario.Interactive or Scenario.Typists => KeystrokeWindow,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };
}
