using System.Diagnostics;

namespace RemoteLogin.Tests.Support;

/// <summary>Waits written as "poll until the condition holds"; the overall limit only fails a test that hangs, it is never a timing claim.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>True once <paramref name="condition"/> holds, false if it still does not after <see cref="Generous"/>.</summary>
    public static async Task<bool> HoldsAsync(Func<bool> condition) => await HoldsAsync(condition, Generous);

    /// <summary>True once <paramref name="condition"/> holds, false if it still does not after <paramref name="within"/> (for pacing, not for a verdict).</summary>
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > within)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Fails the test unless <paramref name="condition"/> comes to hold; <paramref name="what"/> names it.</summary>
    public static async Task AssertAsync(Func<bool> condition, string what) =>
        Assert.True(await HoldsAsync(condition), $"never came to hold: {what}");

    /// <summary>The same for a condition that has to ask over the network to find out (a probe connection, say).</summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed <= Generous, $"never came to hold: {what}");
            await Task.Delay(20);
        }
    }
}
