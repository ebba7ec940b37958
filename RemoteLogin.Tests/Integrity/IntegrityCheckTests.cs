using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Load;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using RemoteLogin.Processes;

namespace RemoteLogin.Tests.Integrity;

/// <summary>The client's echo check against a server that gets bytes wrong on purpose, under every wire protocol.</summary>
public class IntegrityCheckTests
{
    /// <summary>What a paste types: the first echo of the session's setup, then the measured characters.</summary>
    private const long PasteChars = 5_000;
    private const long LastTyped = PasteChars; // index 0 is setup's round trip

    public static TheoryData<BufferStrategy, WireProtocol> StrategiesAndProtocols()
    {
        var data = new TheoryData<BufferStrategy, WireProtocol>();
        foreach (var strategy in Enum.GetValues<BufferStrategy>())
        {
            foreach (var protocol in WireProtocols.Terminal)
            {
                data.Add(strategy, protocol);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StrategiesAndProtocols))]
    public void Catches_a_lost_a_duplicated_and_a_corrupted_byte(BufferStrategy strategy, WireProtocol protocol)
    {
        AssertCorruptionIsNotTheCharacterBefore(protocol, 3_000);

        var integrity = Paste(strategy, new FaultyEchoServer.Faults { Drop = [1_000], Duplicate = [2_000], Corrupt = [3_000] }, protocol);

        Assert.Equal(new IntegrityCounts(1, 1, 1), integrity);
    }

    [Theory]
    [InlineData(WireProtocol.Raw)]
    [InlineData(WireProtocol.Telnet)]
    [InlineData(WireProtocol.Rlogin)]
    public void Each_fault_alone_is_counted_as_its_own_kind(WireProtocol protocol)
    {
        AssertCorruptionIsNotTheCharacterBefore(protocol, 2_500);

        Assert.Equal(new IntegrityCounts(1, 0, 0), Paste(BufferStrategy.Pipelined, new FaultyEchoServer.Faults { Drop = [2_500] }, protocol));
        Assert.Equal(new IntegrityCounts(0, 1, 0), Paste(BufferStrategy.Pipelined, new FaultyEchoServer.Faults { Duplicate = [2_500] }, protocol));
        Assert.Equal(new IntegrityCounts(0, 0, 1), Paste(BufferStrategy.Pipelined, new FaultyEchoServer.Faults { Corrupt = [2_500] }, protocol));
    }

    [Theory]
    [MemberData(nameof(StrategiesAndProtocols))]
    public void A_spurious_byte_after_the_last_echo_is_counted(BufferStrategy strategy, WireProtocol protocol)
    {
        // Not the last character again, which a duplicate of it would be: a byte that echoes nothing typed.
        byte spurious = (byte)(TextOf(protocol).At(LastTyped) ^ 0x20);

        var integrity = Paste(strategy, new FaultyEchoServer.Faults { Trailing = spurious }, protocol);

        Assert.Equal(new IntegrityCounts(0, 1, 0), integrity);
    }

    [Fact]
    public void A_spurious_byte_after_the_last_echo_of_the_closed_loop_is_counted()
    {
        using var server = new FaultyEchoServer(new FaultyEchoServer.Faults { Trailing = 0x41 });
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Scenario = Scenario.Interactive,
            Chars = 50,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = TimeSpan.FromSeconds(2) },
        };

        var integrity = new LoadRunner(options, PhaseSync.None).Run().Result.Integrity;

        Assert.Equal(new IntegrityCounts(0, 1, 0), integrity);
    }

    [Theory]
    [InlineData(WireProtocol.Raw)]
    [InlineData(WireProtocol.Telnet)]
    [InlineData(WireProtocol.Rlogin)]
    public void A_lost_stretch_of_256_counts_256_lost(WireProtocol protocol)
    {
        // A text that repeated every 256 bytes would match the echoes after the gap to the characters of the gap.
        var stretch = Enumerable.Range(1_000, 256).Select(i => (long)i).ToArray();

        var integrity = Paste(BufferStrategy.Zerocopy, new FaultyEchoServer.Faults { Drop = stretch }, protocol);

        Assert.Equal(new IntegrityCounts(256, 0, 0), integrity);
    }

    [Theory]
    [InlineData(WireProtocol.Raw)]
    [InlineData(WireProtocol.Telnet)]
    [InlineData(WireProtocol.Rlogin)]
    public void The_echoes_after_a_lost_stretch_are_not_taken_for_the_stretch(WireProtocol protocol)
    {
        // Over a socket, a stretch matched to the wrong characters still ends as lost once the echo timeout passes;
        // here, with no timeout to rescue it, the stretch must be seen as the echoes arrive.
        using var window = new EchoWindow(4096, TextOf(protocol));
        var typed = Typed(window, 3_000);
        var echoed = typed[..1_000].Concat(typed[1_256..]).ToArray();

        MatchInPieces(window, echoed);

        Assert.Equal(new IntegrityCounts(256, 0, 0), window.Integrity);
        Assert.Equal(0, window.Outstanding);
    }

    [Theory]
    [InlineData(WireProtocol.Raw)]
    [InlineData(WireProtocol.Telnet)]
    [InlineData(WireProtocol.Rlogin)]
    public void A_stretch_of_256_echoed_twice_counts_256_duplicated(WireProtocol protocol)
    {
        using var window = new EchoWindow(4096, TextOf(protocol));
        var typed = Typed(window, 3_000);
        var echoed = typed[..1_256].Concat(typed[1_000..]).ToArray();

        MatchInPieces(window, echoed);
        window.Settle();

        Assert.Equal(new IntegrityCounts(0, 256, 0), window.Integrity);
        Assert.Equal(0, window.Outstanding);
    }

    [Fact]
    public void Several_lost_in_a_row_are_counted_as_lost_and_the_rest_still_matches()
    {
        var integrity = Paste(BufferStrategy.Pipelined, new FaultyEchoServer.Faults { Drop = [1_000, 1_001, 1_002, 1_003], Corrupt = [4_000] });

        Assert.Equal(new IntegrityCounts(4, 0, 1), integrity);
    }

    [Fact]
    public void A_lost_echo_in_the_closed_loop_counts_once_the_echo_timeout_passes()
    {
        var run = Interactive(new FaultyEchoServer.Faults { Drop = [20] }, echoTimeout: TimeSpan.FromSeconds(2));

        Assert.Equal(new IntegrityCounts(1, 0, 0), run.Integrity);
        Assert.Equal(49, run.RttMicros.Count);
    }

    [Fact]
    public void Echoes_that_come_after_their_timeout_are_lost_once_not_also_duplicated()
    {
        // The typist gives up on character 10 after a second and types on; what it types meanwhile queues behind
        // the held echo, so how many are given up depends on timing, but each is either lost or matched, once.
        var run = Interactive(
            new FaultyEchoServer.Faults { Hold = [10], HoldFor = TimeSpan.FromSeconds(3) },
            echoTimeout: TimeSpan.FromSeconds(1));

        Assert.InRange(run.Integrity.Lost, 1, 50);
        Assert.Equal(0, run.Integrity.Duplicated);
        Assert.Equal(0, run.Integrity.Corrupted);
        Assert.Equal(50, run.Integrity.Lost + run.RttMicros.Count);
    }

    [Fact]
    public void A_corrupted_byte_that_looks_like_a_later_character_is_still_corrupted()
    {
        // A position whose corrupted echo (bit 5 flipped) equals a character a few further on: one byte alone could be a gap.
        var text = TextOf(WireProtocol.Raw);
        long position = Enumerable.Range(3_000, 1_000).Select(i => (long)i)
            .First(p => Enumerable.Range(2, 62).Any(gap => (text.At(p) ^ 0x20) == text.At(p + gap)));
        AssertCorruptionIsNotTheCharacterBefore(WireProtocol.Raw, position);

        var integrity = Paste(BufferStrategy.Naive, new FaultyEchoServer.Faults { Corrupt = [position] });

        Assert.Equal(new IntegrityCounts(0, 0, 1), integrity);
    }

    [Fact]
    public async Task The_client_exits_with_1_when_echoes_do_not_match()
    {
        using var server = new FaultyEchoServer(new FaultyEchoServer.Faults { Corrupt = [500] });

        var outcome = await ChildRun.RunAsync("RemoteLogin.Client", "load", "--port", server.Endpoint.Port.ToString(),
            "--scenario", "paste", "--strategy", "pipelined", "--chars", "2000", "--warmup", "0", "--seed", "7");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("corrupted 1", outcome.StandardOutput);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Round_trips_recorded_per_run_are_those_recorded_per_character(int seed)
    {
        // Runs of random lengths typed at random times (some at the time of the run before, which extends it), matched
        // in receives split at random, across the ring's end and past the 16 segments the window starts with.
        var random = new Random(seed);
        using var window = new EchoWindow(4096, TextOf(WireProtocol.Raw)) { Recording = true };
        var reference = RemoteLogin.Measurement.Latency.NewHistogram();
        var intendedAt = new List<long>();
        var echo = new byte[4096];
        long time = 1_000_000;

        while (window.Typed < 60_000)
        {
            int outstanding = 0;
            while (outstanding < 4096)
            {
                int run = Math.Min(4096 - outstanding, random.Next(3) == 0 ? random.Next(1, 3) : random.Next(1, 700));
                if (random.Next(4) != 0)
                {
                    time += random.Next(1, 50_000);
                }
                window.Type(run, time);
                intendedAt.AddRange(Enumerable.Repeat(time, run));
                outstanding += run;
            }
            long first = window.Typed - outstanding;
            for (int at = 0; at < outstanding;)
            {
                var typed = window.Contiguous(first + at, outstanding - at).Span;
                typed.CopyTo(echo.AsSpan(at));
                at += typed.Length;
            }
            for (int at = 0; at < outstanding;)
            {
                int piece = Math.Min(outstanding - at, random.Next(1, 1500));
                time += random.Next(1, 200_000);
                window.Match(echo.AsSpan(at, piece), time);
                for (int i = 0; i < piece; i++)
                {
                    reference.RecordValue(RemoteLogin.Measurement.Latency.NanosBetween(intendedAt[(int)(first + at + i)], time));
                }
                at += piece;
            }
        }

        Assert.Equal(new IntegrityCounts(0, 0, 0), window.Integrity);
        Assert.Equal(reference.TotalCount, window.Histogram.TotalCount);
        Assert.Equal(
            reference.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)),
            window.Histogram.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)));
        Assert.True(window.CheckTicks > 0, "the check's time was not counted");
    }

    [Fact]
    public void Typing_and_matching_on_two_threads_match_everything_without_allocating()
    {
        // The producer publishes runs while the consumer matches what it has seen typed: real threads, as a paste
        // runs them. Past the first quarter (the pool made, the segment ring grown beforehand), neither allocates per
        // call: each allocates less than a kilobyte over hundreds of calls. Not zero: a first real wait or a first
        // contended lock may allocate once, a few hundred bytes, at a moment the scheduler picks; an allocation per
        // call would be at least 24 bytes times the calls (counted, so the bound stays meaningful).
        const long Chars = 4_000_000;
        var text = TextOf(WireProtocol.Raw);
        using var window = new EchoWindow(1 << 20, text) { Recording = true };
        // Grown beforehand, on this thread: 4,096 runs outstanding at once, far more than the threads below leave.
        for (int i = 0; i < 4096; i++)
        {
            window.Type(1, i);
        }
        var typedAhead = new byte[4096];
        text.Fill(0, typedAhead);
        window.Match(typedAhead, 4096);
        long typedAheadCount = window.Typed;
        long producerAllocated = -1, consumerAllocated = -1, producerCalls = 0, consumerCalls = 0;
        bool roomTimedOut = false;
        var producer = new Thread(() =>
        {
            var random = new Random(1);
            long warm = 0;
            while (window.Typed < Chars)
            {
                int run = (int)Math.Min(Chars - window.Typed, random.Next(1, 20_000));
                if (!window.WaitForRoom(run, TimeSpan.FromSeconds(30)))
                {
                    roomTimedOut = true;
                    return;
                }
                if (warm == 0 && window.Typed > Chars / 4)
                {
                    warm = GC.GetAllocatedBytesForCurrentThread();
                }
                window.Type(run, System.Diagnostics.Stopwatch.GetTimestamp());
                producerCalls += warm == 0 ? 0 : 1;
            }
            producerAllocated = GC.GetAllocatedBytesForCurrentThread() - warm;
        });
        var consumer = new Thread(() =>
        {
            var random = new Random(2);
            var echo = new byte[20_000];
            long matched = typedAheadCount, warm = 0;
            while (matched < Chars && !Volatile.Read(ref roomTimedOut))
            {
                long typed = window.Typed;
                int piece = (int)Math.Min(typed - matched, random.Next(1, echo.Length));
                if (piece == 0)
                {
                    Thread.Yield();
                    continue;
                }
                if (warm == 0 && matched > Chars / 4)
                {
                    warm = GC.GetAllocatedBytesForCurrentThread();
                }
                text.Fill(matched, echo.AsSpan(0, piece));
                window.Match(echo.AsSpan(0, piece), System.Diagnostics.Stopwatch.GetTimestamp());
                matched += piece;
                consumerCalls += warm == 0 ? 0 : 1;
            }
            consumerAllocated = GC.GetAllocatedBytesForCurrentThread() - warm;
        });

        producer.Start();
        consumer.Start();
        Assert.True(producer.Join(TimeSpan.FromMinutes(1)) && consumer.Join(TimeSpan.FromMinutes(1)), "typing and matching did not finish");
        Assert.False(roomTimedOut, $"the window never made room: {window.Outstanding} outstanding, {window.Integrity}");

        Assert.Equal(new IntegrityCounts(0, 0, 0), window.Integrity);
        Assert.Equal(0, window.Outstanding);
        Assert.Equal(Chars, window.Histogram.TotalCount); // the warm-up's 4,096 included
        Assert.True(producerCalls * 24 > 1024 && consumerCalls * 24 > 1024, $"too few calls to tell: {producerCalls}, {consumerCalls}");
        Assert.InRange(producerAllocated, 0, 1023);
        Assert.InRange(consumerAllocated, 0, 1023);
    }

    private static byte[] Typed(EchoWindow window, int count)
    {
        window.Type(count, 0);
        return window.Contiguous(0, count).ToArray();
    }

    /// <summary>Echoes as receives deliver them: in pieces that split wherever they fall.</summary>
    private static void MatchInPieces(EchoWindow window, byte[] echoed)
    {
        for (int at = 0; at < echoed.Length; at += 97)
        {
            window.Match(echoed.AsSpan(at, Math.Min(97, echoed.Length - at)), 0);
        }
    }

    /// <summary>The text session 0 types under the default seed: the one the faults' positions index.</summary>
    private static TypedText TextOf(WireProtocol protocol) => TypedText.For(protocol, LoadOptions.DefaultSeed, 0);

    /// <summary>
    /// A corrupted echo equal to the character before reads as a duplicate of it, and nothing can tell the two apart:
    /// the tests corrupt where it is not, so the count they expect is the only right one.
    /// </summary>
    private static void AssertCorruptionIsNotTheCharacterBefore(WireProtocol protocol, long position)
    {
        var text = TextOf(protocol);
        Assert.NotEqual(text.At(position - 1), (byte)(text.At(position) ^ 0x20));
    }

    private static IntegrityCounts Paste(BufferStrategy strategy, FaultyEchoServer.Faults faults, WireProtocol protocol = WireProtocol.Raw)
    {
        using var server = new FaultyEchoServer(faults, protocol);
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Protocol = protocol,
            Strategy = strategy,
            Scenario = Scenario.Paste,
            Chars = PasteChars,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = TimeSpan.FromSeconds(2) },
        };
        return new LoadRunner(options, PhaseSync.None).Run().Result.Integrity;
    }

    private static RunResult Interactive(FaultyEchoServer.Faults faults, TimeSpan echoTimeout)
    {
        using var server = new FaultyEchoServer(faults);
        var options = new LoadOptions
        {
            Daemon = server.Endpoint,
            Scenario = Scenario.Interactive,
            Chars = 50,
            WarmupChars = 0,
            Transport = TransportSettings.Default with { EchoTimeout = echoTimeout },
        };
        return new LoadRunner(options, PhaseSync.None).Run().Result;
    }
}
