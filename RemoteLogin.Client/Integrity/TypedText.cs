using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Integrity;

/// <summary>
/// What a simulated user types: a seeded pseudo-random text read by index, so every echo can be checked against it
/// and the echo check can look back at any character it still holds. The text has no period, and no stretch of it
/// comes back within 95,232 characters: a lost window of any length the check reaches leaves the echoes after it out
/// of step with what was typed, so it is counted and never matched silently. Long runs are made by copying
/// (<see cref="Fill"/>), so typing keeps up with a paste at memory speed.
/// </summary>
internal sealed class TypedText
{
    /// <summary>The seed of <see cref="For(WireProtocol)"/>, for callers that type one session and do not choose.</summary>
    public const int DefaultSeed = 1;

    private const int Classes = 3;
    private const ulong Gamma = 0x9E3779B97F4A7C15; // splitmix64's increment: 2^64 over the golden ratio, odd

    // The text is a sequence of blocks, each a window into the session's pool of hash-made characters. A block's
    // length and its place in the pool are multiples of 3, so a character's class is still its index mod 3. Block k
    // lies in region k mod Regions of the pool, at a place within it chosen by a hash of k: the 31 blocks either side
    // of a block use other regions, so no stretch of the text comes back within 31 blocks (95,232 characters), far
    // beyond the echo check's reach; blocks a multiple of 32 apart share a region at hashed places, so nothing repeats
    // with a period either.
    private const int BlockChars = Classes * 1024;
    private const int Regions = 32;
    private const int RegionChars = 2 * BlockChars;
    private const int PoolChars = Regions * RegionChars; // 192 KB, made only for a session that types long runs
    private const uint PlacesInRegion = (RegionChars - BlockChars) / Classes + 1;

    /// <summary>Runs shorter than this are made one <see cref="At"/> at a time, so a typist never makes the pool.</summary>
    private const int PooledRunChars = 64;

    // Raw: the alphabet laid out class by class; _classStart[c], _classLength[c] say where each class lies.
    private readonly byte[]? _alphabet;
    private readonly int[] _classStart = new int[Classes];
    private readonly uint[] _classLength = new uint[Classes];
    private readonly ulong _key;
    private readonly ulong _blockKey;
    private readonly byte[]? _cycle;
    private byte[]? _pool;

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
        _blockKey = Mix(key ^ Gamma); // the places of blocks, unrelated to the characters' hashes
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
    /// hash of (seed, session, and the place in the session's pool that index i reads, see the blocks above). So every character differs from the two before it, which is what lets one mismatched
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

    /// <summary>The character at <paramref name="index"/>: two hashes (its block's place and the character), no allocation, any order.</summary>
    public byte At(long index)
    {
        if (_cycle is not null)
        {
            return _cycle[index % _cycle.Length];
        }
        ulong block = (ulong)index / BlockChars;
        int within = (int)((ulong)index - block * BlockChars);
        return PoolCharacter(BlockStart(block) + within);
    }

    /// <summary>
    /// The characters from <paramref name="index"/> on, as many as <paramref name="destination"/> holds: the same as
    /// <see cref="At"/> for each, at the speed of a copy for long runs (the first one makes the session's pool).
    /// </summary>
    public void Fill(long index, Span<byte> destination)
    {
        if (_cycle is not null)
        {
            FillCycle(index, destination);
            return;
        }
        if (destination.Length < PooledRunChars)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = At(index + i);
            }
            return;
        }
        var pool = Volatile.Read(ref _pool) ?? MakePool();
        while (!destination.IsEmpty)
        {
            ulong block = (ulong)index / BlockChars;
            int within = (int)((ulong)index - block * BlockChars);
            int run = Math.Min(destination.Length, BlockChars - within);
            pool.AsSpan(BlockStart(block) + within, run).CopyTo(destination);
            destination = destination[run..];
            index += run;
        }
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

    private void FillCycle(long index, Span<byte> destination)
    {
        var cycle = _cycle!;
        int at = (int)(index % cycle.Length);
        while (!destination.IsEmpty)
        {
            int run = Math.Min(destination.Length, cycle.Length - at);
            cycle.AsSpan(at, run).CopyTo(destination);
            destination = destination[run..];
            at = 0;
        }
    }

    /// <summary>Where block <paramref name="block"/> starts in the pool: its region, then a hashed place within it, a multiple of 3.</summary>
    private int BlockStart(ulong block)
    {
        uint hash = (uint)(Mix(_blockKey + (block + 1) * Gamma) >> 32);
        int place = (int)(((ulong)hash * PlacesInRegion) >> 32);
        return (int)(block % Regions) * RegionChars + place * Classes;
    }

    /// <summary>The pool's character at <paramref name="position"/>: drawn from class position mod 3 by a hash of the position.</summary>
    private byte PoolCharacter(int position)
    {
        int c = position % Classes;
        uint hash = (uint)(Mix(_key + ((ulong)position + 1) * Gamma) >> 32);
        // Multiply-shift maps the hash onto the class without a division and with a bias below 2^-24.
        int member = (int)(((ulong)hash * _classLength[c]) >> 32);
        return _alphabet![_classStart[c] + member];
    }

    /// <summary>
    /// The pool, made once per text on first use. Producers of sessions that share a text may race to make it; they
    /// make the same bytes, and one array wins.
    /// </summary>
    private byte[] MakePool()
    {
        var pool = GC.AllocateUninitializedArray<byte>(PoolChars);
        for (int position = 0; position < pool.Length; position++)
        {
            pool[position] = PoolCharacter(position);
        }
        return Interlocked.CompareExchange(ref _pool, pool, null) ?? pool;
    }

    /// <summary>splitmix64's finaliser (Steele, Lea and Flood, 2014): a bijection on 64 bits whose every output bit depends on every input bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
