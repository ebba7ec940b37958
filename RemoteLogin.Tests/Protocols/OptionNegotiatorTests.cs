using System.Buffers;
using RemoteLogin.Protocols.Telnet;
using static RemoteLogin.Protocols.Telnet.TelnetCodes;

namespace RemoteLogin.Tests.Protocols;

/// <summary>RFC 1143's Q method: every request answered at most once, and no two ends can talk each other into a loop.</summary>
public class OptionNegotiatorTests
{
    /// <summary>The daemon's policy: it will ECHO and SGA, and lets the client suppress go-ahead; nothing else.</summary>
    private static OptionNegotiator Daemon() => new(
        acceptUs: option => option is Echo or SuppressGoAhead,
        acceptHim: option => option is SuppressGoAhead);

    [Fact]
    public void The_offer_of_echo_is_settled_by_the_clients_answer_without_a_reply()
    {
        var daemon = Daemon();
        var output = new ArrayBufferWriter<byte>();
        daemon.EnableUs(Echo, output);
        Assert.Equal([Iac, Will, Echo], output.WrittenSpan.ToArray());
        Assert.Equal(OptionNegotiator.Side.WantYes, daemon.Us(Echo));

        output.Clear();
        daemon.Receive(Do, Echo, output);
        Assert.Equal(0, output.WrittenCount); // an answer is not answered
        Assert.Equal(OptionNegotiator.Side.Yes, daemon.Us(Echo));

        daemon.Receive(Do, Echo, output);
        Assert.Equal(0, output.WrittenCount); // nor is a repeat

        daemon.Receive(Dont, Echo, output);
        Assert.Equal([Iac, Wont, Echo], output.WrittenSpan.ToArray());
        Assert.Equal(OptionNegotiator.Side.No, daemon.Us(Echo));
    }

    [Fact]
    public void What_the_daemon_does_not_support_is_refused_once()
    {
        var daemon = Daemon();
        var output = new ArrayBufferWriter<byte>();
        daemon.Receive(Will, Linemode, output);
        daemon.Receive(Do, 24, output); // terminal type: not this end's to give
        Assert.Equal([Iac, Dont, Linemode, Iac, Wont, 24], output.WrittenSpan.ToArray());
        Assert.Equal(OptionNegotiator.Side.No, daemon.Him(Linemode));
    }

    [Fact]
    public void Ten_thousand_requests_in_a_row_get_at_most_one_answer_each()
    {
        var daemon = Daemon();
        var output = new ArrayBufferWriter<byte>();
        var random = new Random(1143);
        byte[] verbs = [Will, Wont, Do, Dont];
        byte[] options = [Echo, SuppressGoAhead, Linemode, 24, 39];
        for (int i = 0; i < 10_000; i++)
        {
            int before = output.WrittenCount;
            daemon.Receive(verbs[random.Next(verbs.Length)], options[random.Next(options.Length)], output);
            Assert.InRange(output.WrittenCount - before, 0, 3);
        }
        Assert.NotEqual(OptionNegotiator.Side.Yes, daemon.Him(Linemode));
        Assert.NotEqual(OptionNegotiator.Side.Yes, daemon.Us(24));
    }

    [Fact]
    public void Two_ends_that_disagree_settle_instead_of_looping()
    {
        var random = new Random(854);
        for (int round = 0; round < 500; round++)
        {
            var daemon = Daemon();
            bool[] likes = Enumerable.Range(0, 256).Select(_ => random.Next(2) == 0).ToArray();
            var client = new OptionNegotiator(option => likes[option], option => !likes[option]);
            var toClient = new ArrayBufferWriter<byte>();
            var toDaemon = new ArrayBufferWriter<byte>();
            daemon.EnableUs(Echo, toClient);
            daemon.EnableUs(SuppressGoAhead, toClient);
            client.EnableHim(Echo, toDaemon);
            client.EnableUs(Linemode, toDaemon);
            client.EnableHim(24, toDaemon);

            int messages = 0;
            while (toClient.WrittenCount > 0 || toDaemon.WrittenCount > 0)
            {
                messages += Deliver(toClient, client, toDaemon) + Deliver(toDaemon, daemon, toClient);
                Assert.InRange(messages, 0, 20); // five requests settle in a handful of messages, never an endless exchange
            }
            Assert.NotEqual(OptionNegotiator.Side.Yes, daemon.Him(Linemode));
        }
    }

    /// <summary>Hand everything in <paramref name="queue"/> to <paramref name="receiver"/>, whose answers go to <paramref name="answers"/>.</summary>
    private static int Deliver(ArrayBufferWriter<byte> queue, OptionNegotiator receiver, ArrayBufferWriter<byte> answers)
    {
        var messages = queue.WrittenSpan.ToArray();
        queue.Clear();
        for (int i = 0; i < messages.Length; i += 3)
        {
            Assert.Equal(Iac, messages[i]);
            receiver.Receive(messages[i + 1], messages[i + 2], answers);
        }
        return messages.Length / 3;
    }
}
