using System.Globalization;

namespace RemoteLogin.Server.Daemon;

/// <summary>
/// sshd's MaxStartups rule (start:rate:full): below <see cref="Start"/> openings in progress every new one is taken;
/// from there a new one is refused with a probability that starts at <see cref="Rate"/> percent and grows linearly to
/// 100 at <see cref="Full"/>. A flood of half-open logins is shed early and at random, so the honest clients among it
/// still get in now and then, and it never holds more than <see cref="Full"/> openings.
/// </summary>
internal readonly record struct StartupLimit(int Start, int Rate, int Full)
{
    /// <summary>
    /// sshd's 10:30:100 scaled for openings that cost a socket and a timer rather than a key exchange: a hundred at
    /// once is beyond any lab's login rate (the bench sets its own for its bursts), three hundred are always shed.
    /// </summary>
    public static StartupLimit Default { get; } = new(100, 30, 300);

    /// <summary>Whether one more opening, beyond the <paramref name="inProgress"/> ones, is taken; <paramref name="draw"/> is uniform in [0, 100).</summary>
    public bool Admits(int inProgress, double draw)
    {
        if (inProgress < Start)
        {
            return true;
        }
        if (inProgress >= Full)
        {
            return false;
        }
        double refusePercent = Rate + (100.0 - Rate) * (inProgress - Start) / (Full - Start);
        return draw >= refusePercent;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}:{Rate}:{Full}");

    /// <summary>"start:rate:full", or a single number N meaning N:100:N (refuse every one beyond N), as sshd reads it.</summary>
    public static bool TryParse(string text, out StartupLimit limit, out string? error)
    {
        limit = default;
        var parts = text.Split(':');
        var numbers = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = $"'{text}' is not start:rate:full or a count";
                return false;
            }
        }
        (StartupLimit? parsed, error) = numbers switch
        {
            [var n] when n >= 1 => ((StartupLimit?)new StartupLimit(n, 100, n), (string?)null),
            [var start, var rate, var full] when start >= 1 && rate is >= 1 and <= 100 && full >= start => (new StartupLimit(start, rate, full), null),
            _ => (null, $"'{text}' needs start >= 1, rate 1-100 (percent) and full >= start"),
        };
        limit = parsed ?? default;
        return error is null;
    }
}
