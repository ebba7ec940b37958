namespace RemoteLogin.Client.Integrity;

/// <summary>What the simulated users type: a known byte cycle, so every echo can be checked against it.</summary>
public sealed class TypedText
{
    private readonly byte[] _cycle;

    public TypedText(byte[] cycle)
    {
        if (cycle.Length == 0)
        {
            throw new ArgumentException("the text needs at least one byte", nameof(cycle));
        }
        _cycle = cycle;
    }

    /// <summary>
    /// Every byte value, 0x00 and 0xFF included, in steps of 7: neighbours always differ, and a byte's
    /// predecessor never equals its successor, so a lost, a duplicated and a corrupted echo tell apart.
    /// </summary>
    public static TypedText AllBytes { get; } = new(Enumerable.Range(0, 256).Select(i => (byte)(i * 7)).ToArray());

    public byte At(long index) => _cycle[index % _cycle.Length];
}
