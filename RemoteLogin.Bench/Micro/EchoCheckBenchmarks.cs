using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// What the load client's echo check costs per character, without the socket: 64 KB of a session's text typed into
/// its <see cref="EchoWindow"/> as one burst, then its echo matched back with round trips recorded, in one receive
/// and in receives of 4 KB (as a paste's reader sees them when it keeps up). The typed bytes are copied to the receive
/// buffer first, standing for the kernel's copy into it. A paste at the stream floor (~1 GB/s) leaves about one
/// nanosecond per character for all of this, typing included. <see cref="CheckAlone"/> times the check by itself: its
/// 4 MB are typed and copied before each iteration, outside the time.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[ContextSwitchDiagnoser]
public class EchoCheckBenchmarks
{
    private const int BurstChars = 64 * 1024;

    private const int CheckedAloneChars = 4 * 1024 * 1024;

    private readonly byte[] _received = new byte[CheckedAloneChars];
    private EchoWindow _window = null!;

    [Params(1, 16)]
    public int Receives { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _window = new EchoWindow(CheckedAloneChars, TypedText.For(WireProtocol.Raw, TypedText.DefaultSeed, 0)) { Recording = true };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // A check that matched nothing would be fast for the wrong reason: every echo must have matched.
        var integrity = _window.Integrity;
        long outstanding = _window.Outstanding;
        _window.Dispose();
        if (outstanding != 0 || integrity.Lost + integrity.Duplicated + integrity.Corrupted != 0)
        {
            throw new InvalidOperationException($"the echoes did not all match: {outstanding} outstanding, {integrity}");
        }
    }

    [Benchmark(Description = "type and check 64 KB", OperationsPerInvoke = BurstChars)]
    public long TypeAndCheck()
    {
        long first = _window.Typed;
        _window.Type(BurstChars, Stopwatch.GetTimestamp());
        Copy(first, _received.AsSpan(0, BurstChars));
        return MatchBack(BurstChars);
    }

    [IterationSetup(Target = nameof(CheckAlone))]
    public void TypeForCheckAlone()
    {
        long first = _window.Typed;
        _window.Type(CheckedAloneChars, Stopwatch.GetTimestamp());
        Copy(first, _received);
    }

    [Benchmark(Description = "check 4 MB typed beforehand", OperationsPerInvoke = CheckedAloneChars)]
    public long CheckAlone() => MatchBack(CheckedAloneChars);

    /// <summary>Match the first <paramref name="chars"/> received bytes back, in <see cref="Receives"/> receives.</summary>
    private long MatchBack(int chars)
    {
        int piece = chars / Receives;
        for (int at = 0; at < chars; at += piece)
        {
            _window.Match(_received.AsSpan(at, piece), Stopwatch.GetTimestamp());
        }
        return _window.Outstanding;
    }

    /// <summary>The typed characters from <paramref name="first"/> on, as the echo would bring them.</summary>
    private void Copy(long first, Span<byte> destination)
    {
        for (int at = 0; at < destination.Length;)
        {
            var typed = _window.Contiguous(first + at, destination.Length - at).Span;
            typed.CopyTo(destination[at..]);
            at += typed.Length;
        }
    }
}
