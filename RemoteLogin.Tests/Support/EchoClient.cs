using System.Net;
using System.Net.Sockets;

namespace RemoteLogin.Tests.Support;

/// <summary>A client of a real daemon, for the end-to-end tests. Every wait is bounded by a generous safety limit, never a timing claim.</summary>
internal static class EchoClient
{
    public static readonly TimeSpan SafetyLimit = TimeSpan.FromSeconds(60);

    /// <summary>Connect and wait for an echo: the session is served, so counted as live before the next connects.</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await client.ConnectAsync(endpoint);
            await AssertEchoesAsync(client, "hello"u8.ToArray());
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public static async Task AssertEchoesAsync(Socket client, byte[] typed)
    {
        using var limit = new CancellationTokenSource(SafetyLimit);
        await client.SendAsync(typed, SocketFlags.None, limit.Token);
        var echoed = new byte[typed.Length];
        for (int got = 0; got < echoed.Length;)
        {
            int received = await client.ReceiveAsync(echoed.AsMemory(got), SocketFlags.None, limit.Token);
            Assert.NotEqual(0, received);
            got += received;
        }
        Assert.Equal(typed, echoed);
    }

    /// <summary>A whole session in one go: connect, send <paramref name="sent"/>, close the sending side, and return everything the daemon sent back before it closed.</summary>
    public static async Task<byte[]> SendAllAndReceiveToEndAsync(IPEndPoint endpoint, byte[] sent)
    {
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(endpoint);
        await client.SendAsync(sent);
        client.Shutdown(SocketShutdown.Send);
        return await ReceiveToEndAsync(client);
    }

    /// <summary>Exactly <paramref name="count"/> bytes; a connection that closes before fails the caller.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket client, int count)
    {
        var received = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = await ReceiveOrResetAsync(client, received.AsMemory(got));
            Assert.True(n > 0, $"the connection closed after {got} of {count} bytes");
            got += n;
        }
        return received;
    }

    /// <summary>Everything the daemon sends until it closes the connection cleanly (a reset fails the caller).</summary>
    public static async Task<byte[]> ReceiveToEndAsync(Socket client)
    {
        using var limit = new CancellationTokenSource(SafetyLimit);
        var received = new List<byte>();
        var buffer = new byte[8192];
        int count;
        while ((count = await client.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, limit.Token)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, count));
        }
        return received.ToArray();
    }

    /// <summary>One receive; a connection reset counts as closed, 0, as a FIN does.</summary>
    public static async Task<int> ReceiveOrResetAsync(Socket client, Memory<byte> buffer)
    {
        using var limit = new CancellationTokenSource(SafetyLimit);
        try
        {
            return await client.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }
}
