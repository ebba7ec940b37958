using RemoteLogin.Bench.Matrix;
using RemoteLogin.Server.Daemon;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;
using Xunit.Abstractions;

namespace RemoteLogin.Tests.BadInput;

/// <summary>
/// Bad rlogin handshakes against the real daemon, a child process whose log says why it closed each one. Each test
/// also proves that a healthy session opened before the bad one still echoes, and that the daemon still logs in new
/// sessions. (The handshake parser's own cases are in Protocols/RloginTests.)
/// </summary>
public class RloginBadInputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_handshake_without_NULs_is_closed_with_a_message()
    {
        var events = await BadHandshakeAsync([], Enumerable.Repeat((byte)'a', 300).ToArray());
        AssertClosedSaying("NUL", events);
    }

    [Fact]
    public async Task A_user_field_of_65_bytes_is_closed_with_a_message()
    {
        var events = await BadHandshakeAsync([], LoginClient.RloginHandshake(new string('u', 65), "guest", "xterm/38400"));
        AssertClosedSaying("longer than 64 bytes", events);
    }

    [Fact]
    public async Task A_handshake_sent_one_byte_per_second_is_closed_at_the_deadline_before_it_completes()
    {
        byte[] handshake = LoginClient.RloginHandshake("guest", "guest", "xterm/38400");
        int sent = 0;
        var events = await BadHandshakeAsync(["--handshake-timeout", "2"], [], async bad =>
        {
            // One byte a second: the whole handshake would take as many seconds as it has bytes (25), far past the deadline.
            while (sent < handshake.Length && !bad.Closed && await bad.SendAsync(handshake.AsMemory(sent, 1)))
            {
                sent++;
                await Eventually.HoldsAsync(() => bad.Closed, TimeSpan.FromSeconds(1));
            }
        });
        output.WriteLine($"closed after {sent} of {handshake.Length} handshake bytes");
        Assert.InRange(sent, 1, handshake.Length - 1); // closed while bytes were still being sent
        AssertClosedSaying("deadline", events);
    }

    /// <summary>The daemon closed exactly one session at its opening, the bad one, saying why.</summary>
    private static void AssertClosedSaying(string reason, IReadOnlyList<DaemonEvent> events)
    {
        var failed = Assert.IsType<HandshakeFailed>(Assert.Single(events, e => e is HandshakeFailed));
        Assert.Contains(reason, failed.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts a daemon, opens a healthy rlogin session, then a bad one that sends <paramref name="bytes"/> (and does
    /// <paramref name="misbehave"/>); the daemon must close the bad one without a byte of reply, keep serving, and stop
    /// cleanly. Returns its events.
    /// </summary>
    private async Task<IReadOnlyList<DaemonEvent>> BadHandshakeAsync(string[] options, byte[] bytes, Func<BadSession, Task>? misbehave = null)
    {
        using var daemon = DaemonProcess.Start(["--protocol", "rlogin", "--echo", "batched", .. options]);
        using (var neighbourhood = await Neighbourhood.OpenAsync(daemon.Endpoint, WireProtocol.Rlogin))
        {
            using var bad = await BadSession.ConnectAsync(daemon.Endpoint);
            await bad.SendAsync(bytes);
            if (misbehave is not null)
            {
                await misbehave(bad);
            }
            await bad.AssertClosedByDaemonAsync();
            // Refused as RFC 1282 allows, a byte 1 and a line saying why; never the \0 of an accepted handshake.
            Assert.Equal(1, bad.Received.FirstOrDefault());
            Assert.Equal((byte)'\n', bad.Received.Last());
            await neighbourhood.AssertUnharmedAsync();
        }

        return BadSession.StopCleanly(daemon, output);
    }
}
