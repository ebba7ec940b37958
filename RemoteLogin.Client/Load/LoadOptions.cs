using System.Net;
using RemoteLogin.Client.Strategies;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Load;

/// <summary>One load run: who to load, how, and how much.</summary>
internal sealed record LoadOptions
{
    public required IPEndPoint Daemon { get; init; }
    public WireProtocol Protocol { get; init; } = WireProtocol.Raw;
    public BufferStrategy Strategy { get; init; } = BufferStrategy.Naive;
    public Scenario Scenario { get; init; } = Scenario.Interactive;
    public int Sessions { get; init; } = 1;
    public long Chars { get; init; } = 20_000;
    /// <summary>Characters typed and checked before measuring, so JIT, connection and caches are warm.</summary>
    public long WarmupChars { get; init; } = 2_000;
    /// <summary>Typists only: characters per second per session.</summary>
    public double CharsPerSecond { get; init; } = 20;
    public TransportSettings Transport { get; init; } = TransportSettings.Default;
    public const int DefaultSeed = 1;

    /// <summary>Seeds each session's typed text (with its index) and the typists' gaps, so a run can be typed again exactly.</summary>
    public int Seed { get; init; } = DefaultSeed;
    /// <summary>The daemon's subdaemon model, when the caller knows it; results carry it as a label.</summary>
    public SubdaemonModel Subdaemon { get; init; } = SubdaemonModel.Task;
}
