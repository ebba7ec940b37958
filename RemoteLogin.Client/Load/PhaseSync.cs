namespace RemoteLogin.Client.Load;

/// <summary>
/// Marks the edges of the measured part. With --sync the client announces each edge on stdout and waits for a
/// line on stdin, so the bench can read the daemon's counters while no character is in flight.
/// </summary>
internal sealed class PhaseSync(bool enabled)
{
    public const string WarmedUp = "warmed-up";
    public const string Measured = "measured";

    public static PhaseSync None { get; } = new(false);

    public void Reached(string edge)
    {
        if (!enabled)
        {
            return;
        }
        Console.Out.WriteLine(edge);
        Console.Out.Flush();
        Console.In.ReadLine(); // end of input also lets the run go on
    }
}
