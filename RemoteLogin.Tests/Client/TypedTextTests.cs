using RemoteLogin.Client.Integrity;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Client;

/// <summary>The text the load client types: reproducible, different per session, checkable, and without a period.</summary>
public class TypedTextTests
{
    private const int Million = 1_000_000;

    public static TheoryData<WireProtocol> Protocols() => new(WireProtocols.Terminal);

    [Fact]
    public void The_same_seed_and_session_type_the_same_text_in_any_order()
    {
        var first = TypedText.For(WireProtocol.Raw, 42, 3);
        var again = TypedText.For(WireProtocol.Raw, 42, 3);
        var forwards = Enumerable.Range(0, 10_000).Select(i => first.At(i)).ToArray();

        var backwards = Enumerable.Range(0, 10_000).Reverse().Select(i => again.At(i)).Reverse().ToArray();

        Assert.Equal(forwards, backwards);
    }

    [Theory]
    [InlineData(42, 3, 43, 3)]
    [InlineData(42, 3, 42, 4)]
    [InlineData(1, 0, 0, 1)]
    public void Another_seed_or_session_types_another_text(int seed, int session, int otherSeed, int otherSession)
    {
        var text = TypedText.For(WireProtocol.Raw, seed, session);
        var other = TypedText.For(WireProtocol.Raw, otherSeed, otherSession);

        int same = Enumerable.Range(0, 10_000).Count(i => text.At(i) == other.At(i));

        // Unrelated texts agree where chance has them draw the same member of a class of 85: about 1 in 85.
        Assert.InRange(same, 0, 10_000 / 40);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Every_byte_differs_from_the_two_before_it(WireProtocol protocol)
    {
        var text = TypedText.For(protocol, 7, 0);
        byte before2 = text.At(0), before1 = text.At(1);
        Assert.NotEqual(before2, before1);

        for (long i = 2; i < Million; i++)
        {
            byte b = text.At(i);
            if (b == before1 || b == before2)
            {
                Assert.Fail($"byte {i} ({b:X2}) repeats one of the two before it ({before2:X2} {before1:X2})");
            }
            before2 = before1;
            before1 = b;
        }
    }

    [Theory]
    [InlineData(WireProtocol.Raw, new int[0])]
    [InlineData(WireProtocol.Telnet, new[] { 10, 13, 0xFF })]
    [InlineData(WireProtocol.Rlogin, new[] { 0xFF })]
    public void The_text_uses_every_byte_the_protocol_carries_and_no_other(WireProtocol protocol, int[] rewritten)
    {
        var text = TypedText.For(protocol, 7, 0);
        var seen = new long[256];

        for (long i = 0; i < Million; i++)
        {
            seen[text.At(i)]++;
        }

        for (int b = 0; b < 256; b++)
        {
            if (rewritten.Contains(b))
            {
                Assert.True(seen[b] == 0, $"{protocol} typed {b:X2}, which it rewrites");
            }
            else
            {
                Assert.True(seen[b] > 0, $"{protocol} never typed {b:X2}");
            }
        }
        Assert.Equal(256 - rewritten.Length, TypedText.Alphabet(protocol).Length);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void No_64_byte_window_comes_back_at_a_small_distance(WireProtocol protocol)
    {
        // A window that came back d bytes later would let a lost or repeated stretch of d match silently.
        const int Window = 64;
        const int MaxDistance = 1_024; // the old text's periods (253 to 256) and every shorter one
        var text = TypedText.For(protocol, 7, 0);
        var bytes = Enumerable.Range(0, 20_000 + MaxDistance + Window).Select(i => text.At(i)).ToArray();

        for (int distance = 1; distance <= MaxDistance; distance++)
        {
            for (int at = 0; at < 20_000; at += Window)
            {
                if (bytes.AsSpan(at, Window).SequenceEqual(bytes.AsSpan(at + distance, Window)))
                {
                    Assert.Fail($"the 64 bytes at {at} come back {distance} later");
                }
            }
        }
    }

    [Fact]
    public void A_fixed_cycle_is_typed_as_given()
    {
        var text = new TypedText([0x00, 0xFF, 0xFF]);

        Assert.Equal(new byte[] { 0x00, 0xFF, 0xFF, 0x00, 0xFF }, Enumerable.Range(0, 5).Select(i => text.At(i)).ToArray());
    }

    public static TheoryData<WireProtocol, int> ProtocolsAndSeeds()
    {
        var data = new TheoryData<WireProtocol, int>();
        foreach (var protocol in WireProtocols.Terminal)
        {
            data.Add(protocol, 7);
        }
        data.Add(WireProtocol.Raw, 8);
        return data;
    }

    [Theory]
    [MemberData(nameof(ProtocolsAndSeeds))]
    public void Fill_types_what_At_reads_at_any_index_and_length(WireProtocol protocol, int seed)
    {
        var text = TypedText.For(protocol, seed, 5);
        var random = new Random(seed);
        var filled = new byte[20_000];

        for (int trial = 0; trial < 200; trial++)
        {
            // Short runs (made by At) and long ones (copied from the pool) across block boundaries, near 0 and far out.
            long index = trial % 2 == 0 ? random.NextInt64(0, 50_000) : random.NextInt64(0, 1L << 40);
            int length = trial % 4 < 2 ? random.Next(0, 70) : random.Next(70, filled.Length);
            var run = filled.AsSpan(0, length);

            text.Fill(index, run);

            for (int i = 0; i < length; i++)
            {
                if (run[i] != text.At(index + i))
                {
                    Assert.Fail($"Fill({index}, {length}) typed {run[i]:X2} at {index + i}, where At reads {text.At(index + i):X2}");
                }
            }
        }
    }

    [Fact]
    public void Fill_types_a_fixed_cycle_as_given()
    {
        var text = new TypedText([1, 2, 3, 4, 5]);
        var filled = new byte[12];

        text.Fill(3, filled);

        Assert.Equal(new byte[] { 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5 }, filled);
    }

    [Fact]
    public void No_16_byte_stretch_comes_back_within_95_232_characters()
    {
        // The text is copied from a pool in blocks: a stretch that came back d later, for any d the echo check
        // reaches, would let a lost or repeated stretch of d match silently. Checked over 64 blocks of 3,072.
        const int Stretch = 16, Reach = 95_232, Length = 64 * 3_072;
        var text = TypedText.For(WireProtocol.Raw, 7, 0);
        var bytes = new byte[Length + Stretch];
        text.Fill(0, bytes);
        var lastSeen = new Dictionary<(ulong, ulong), int>(Length);

        for (int at = 0; at < Length; at++)
        {
            var key = (BitConverter.ToUInt64(bytes, at), BitConverter.ToUInt64(bytes, at + 8));
            if (lastSeen.TryGetValue(key, out int before) && at - before <= Reach)
            {
                Assert.Fail($"the 16 bytes at {before} come back {at - before} later");
            }
            lastSeen[key] = at;
        }
    }
}
