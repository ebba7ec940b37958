using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Integrity;

/// <summary>
/// What a simulated user types: a seeded pseudo-random text read by index, so every echo can be checked against it
/// and the echo check can look back at any character it still holds. The text has no period: a lost window of any
/// length leaves the echoes after it out of step with what was typed, so it is counted and never matched silently.
/// </summary>
public sealed class TypedText
{
    /// <summary>The seed of <see cref="For(WireProtocol)"/>, for callers that type one session and do not choose.</summary>
    public const int DefaultSeed = 1;

    private const int Classes = 3;
    private const ulong Gamma = 0x9E3779B97F4A7C15; // splitmix64's increment: 2^64 over the golden ratio, odd

    // Raw: the alphabet laid out class by class; _classStart[c], _classLength[c] say where each class lies.
    private readonly byte[]? _alphabet;
    private readonly int[] _classStart = new int[Classes];
    private readonly uint[] _classLength = new uint[Classes];
    private readonly ulong _key;
    private readonly byte[]? _cycle;

    /// <summary>
    /// A fixed cycle, for checking that chosen bytes travel intact through a fault-free run. It repeats, so a fault
    /// of one period's length would go unseen: the echo check under faults uses <see cref="For(WireProtocol, int, int)"/>.
    /// </summary>
    public TypedText(byte[] cycle)
    {
        if (cycle.Length == 0)
        {
            throw new ArgumentException("the text needs at least one byte", nameof(cycle));
        }
        _cycle = cycle;
    }

    private TypedText(ReadOnlySpan<byte> alphabet, ulong key)
    {
        // Consecutive alphabet members go to classes 0, 1, 2 in turn, so the classes are disjoint and nearly equal.
        _alphabet = new byte[alphabet.Length];
        int at = 0;
        for (int c = 0; c < Classes; c++)
        {
            _classStart[c] = at;
            for (int i = c; i < alphabet.Length; i += Classes)
            {
                _alphabet[at++] = alphabet[i];
            }
            _classLength[c] = (uint)(at - _classStart[c]);
        }
        _key = key;
    }

    /// <summary>The raw text of the default seed's first session: every byte value, 0x00 and 0xFF included.</summary>
    public static TypedText AllBytes { get; } = For(WireProtocol.Raw);

    /// <summary>The text of session 0 under the default seed.</summary>
    public static TypedText For(WireProtocol protocol) => For(protocol, DefaultSeed, 0);

    /// <summary>
    /// What session <paramref name="session"/> of a run seeded <paramref name="seed"/> types under
    /// <paramref name="protocol"/>: every byte that the protocol carries as itself. Telnet rewrites IAC, CR and LF and
    /// rlogin holds 0xFF back (it may start a window-size message), so their text leaves those out and every echo stays
    /// checkable byte for byte; the rewrites are tested apart.
    /// <para>
    /// The character at index i is drawn from class i mod 3 of the alphabet, three disjoint classes, by a splitmix64
    /// hash of (seed, session, i). So every character differs from the two before it, which is what lets one mismatched
    /// echo be told apart: a duplicate equals the character before, a gap's first echo is a character further on, a
    /// corrupted one is neither. Sessions differ, so one session's echoes cannot pass for another's.
    /// </para>
    /// </summary>
    public static TypedText For(WireProtocol protocol, int seed, int session)
    {
        var alphabet = Alphabet(protocol);
        ulong key = Mix(Mix((ulong)(uint)seed * Gamma) + (ulong)(uint)session * Gamma);
        return new TypedText(alphabet, key);
    }

    /// <summary>The character at <paramref name="index"/>: one hash, no allocation, any order.</summary>
    public byte At(long index)
    {
        if (_cycle is not null)
        {
            return _cycle[index % _cycle.Length];
        }
        int c = (int)((ulong)index % Classes);
        uint hash = (uint)(Mix(_key + ((ulong)index + 1) * Gamma) >> 32);
        // Multiply-shift maps the hash onto the class without a division and with a bias below 2^-24.
        int member = (int)(((ulong)hash * _classLength[c]) >> 32);
        return _alphabet![_classStart[c] + member];
    }

    /// <summary>The bytes <paramref name="protocol"/> carries as themselves, in increasing order.</summary>
    public static byte[] Alphabet(WireProtocol protocol)
    {
        Func<int, bool> carried = protocol switch
        {
            WireProtocol.Raw => _ => true,
            WireProtocol.Telnet => b => b is not (13 or 10 or 0xFF),
            WireProtocol.Rlogin => b => b != 0xFF,
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
        };
        return Enumerable.Range(0, 256).Where(carried).Select(b => (byte)b).ToArray();
    }

    /// <summary>splitmix64's finaliser (Steele, Lea and Flood, 2014): a bijection on 64 bits whose every output bit depends on every input bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
