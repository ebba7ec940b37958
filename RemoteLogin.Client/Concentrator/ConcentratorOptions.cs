using System.Net;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Concentrator;

/// <summary>Everything a concentrator is made from, as its command line gives it.</summary>
internal sealed record ConcentratorOptions(
    IPEndPoint Listen,
    IPEndPoint Upstream,
    WireProtocol Protocol,
    TimeSpan FlushDelay,
    int MaxTerminals,
    TimeSpan OpeningTimeout,
    TimeSpan DrainTimeout)
{
    /// <summary>The daemon's default, for the same reason: a vanished terminal, or host, frees its line in about two minutes.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(60);
}
