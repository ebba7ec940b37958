using System.Net;
using System.Net.Sockets;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.BadInput;

/// <summary>
/// What every bad-input test proves besides its own point: a healthy session opened before the bad one still echoes a
/// few KB intact after it, and the daemon still logs in a new session.
/// </summary>
internal sealed class Neighbourhood : IDisposable
{
    private readonly IPEndPoint _daemon;
    private readonly WireProtocol _protocol;
    private readonly Socket _neighbour;

    private Neighbourhood(IPEndPoint daemon, WireProtocol protocol, Socket neighbour)
    {
        _daemon = daemon;
        _protocol = protocol;
        _neighbour = neighbour;
    }

    /// <summary>Opens the healthy session; call before the bad one.</summary>
    public static async Task<Neighbourhood> OpenAsync(IPEndPoint daemon, WireProtocol protocol) =>
        new(daemon, protocol, await LoginClient.ConnectAsync(daemon, protocol));

    public async Task AssertUnharmedAsync()
    {
        await EchoClient.AssertEchoesAsync(_neighbour, LoginClient.Text(4096, seed: 1));
        using var newcomer = await LoginClient.ConnectAsync(_daemon, _protocol);
        await EchoClient.AssertEchoesAsync(newcomer, LoginClient.Text(4096, seed: 2));
        await EchoClient.AssertEchoesAsync(_neighbour, LoginClient.Text(4096, seed: 3));
    }

    public void Dispose() => _neighbour.Dispose();
}
