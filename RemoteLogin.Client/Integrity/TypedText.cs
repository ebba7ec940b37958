using RemoteLogin.Vocabulary;

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

    /// <summary>
    /// What a session types under <paramref name="protocol"/>: every byte that the protocol carries as itself. Telnet
    /// rewrites IAC, CR and LF and rlogin holds 0xFF back (it may start a window-size message), so their text leaves
    /// those out and every echo stays checkable byte for byte; the rewrites are tested apart. What remains keeps the
    /// property above: dropping values from a step-7 cycle leaves neighbours that still differ.
    /// </summary>
    public static TypedText For(WireProtocol protocol) => protocol switch
    {
        WireProtocol.Raw => AllBytes,
        WireProtocol.Telnet => Without(13, 10, 0xFF),
        WireProtocol.Rlogin => Without(0xFF),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    public byte At(long index) => _cycle[index % _cycle.Length];

    private static TypedText Without(params byte[] rewritten) =>
        new(Enumerable.Range(0, 256).Select(i => (byte)(i * 7)).Where(b => !rewritten.Contains(b)).ToArray());
}
