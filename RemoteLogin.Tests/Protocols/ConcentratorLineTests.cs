using System.Buffers;
using RemoteLogin.Client.Concentrator.Lines;
using RemoteLogin.Protocols.Mux;

namespace RemoteLogin.Tests.Protocols;

/// <summary>The concentrator's translations of a terminal's line, byte for byte: what the host gets, and what the terminal is shown.</summary>
public class ConcentratorLineTests
{
    [Theory]
    [InlineData(new byte[] { (byte)'a', 13, (byte)'b' }, new byte[] { (byte)'a', 13, 0, (byte)'b' })] // a CR alone is CR NUL on the wire
    [InlineData(new byte[] { (byte)'a', 13, 10 }, new byte[] { (byte)'a', 13, 10 })] // CR LF is already NVT's newline
    [InlineData(new byte[] { 255, (byte)'x' }, new byte[] { 255, 255, (byte)'x' })] // IAC doubled
    [InlineData(new byte[] { 10 }, new byte[] { 10 })]
    public void Telnet_shows_the_host_s_bytes_as_nvt_data(byte[] fromHost, byte[] shown)
    {
        Assert.Equal(shown, Shown(TelnetLine.Instance.NewCodec(), fromHost));
    }

    [Fact]
    public void Telnet_owes_a_cr_that_ends_one_frame_its_nul_only_if_no_lf_starts_the_next()
    {
        var codec = TelnetLine.Instance.NewCodec();
        Assert.Equal([(byte)'a', 13], Shown(codec, [(byte)'a', 13])); // nothing waits for the next frame
        Assert.Equal([10], Shown(codec, [10]));
        Assert.Equal([13], Shown(codec, [13]));
        Assert.Equal([0, (byte)'z'], Shown(codec, [(byte)'z']));
    }

    [Fact]
    public void Telnet_gives_the_host_the_terminal_s_data_with_cr_nul_and_iac_iac_undone_and_answers_negotiation_itself()
    {
        var codec = TelnetLine.Instance.NewCodec();
        var toHost = new ArrayBufferWriter<byte>();
        var toTerminal = new ArrayBufferWriter<byte>();

        // x CR NUL y IAC IAC, then DO ECHO (the answer to the concentrator's offer) and IAC AYT.
        var decoded = codec.FromTerminal([(byte)'x', 13, 0, (byte)'y', 255, 255, 255, 253, 1, 255, 246], toHost, toTerminal);

        Assert.Equal(DecodedAs.Written, decoded.As);
        Assert.Equal([(byte)'x', 13, (byte)'y', 255], toHost.WrittenSpan.ToArray());
        Assert.Equal("\r\n[yes]\r\n"u8.ToArray(), toTerminal.WrittenSpan.ToArray()); // DO ECHO agreed silently; AYT answered here
        Assert.Equal(0, codec.Held);
    }

    [Fact]
    public void Rlogin_counts_what_it_holds_so_a_read_never_goes_past_the_window()
    {
        var codec = RloginLine.Instance.NewCodec();
        var toHost = new ArrayBufferWriter<byte>();

        // FF FF might start a window-size message: held, not the host's yet, and counted so.
        Assert.Equal(DecodedAs.Written, codec.FromTerminal([(byte)'a', 0xFF, 0xFF], toHost, new ArrayBufferWriter<byte>()).As);
        Assert.Equal([(byte)'a'], toHost.WrittenSpan.ToArray());
        Assert.Equal(2, codec.Held);
        toHost.ResetWrittenCount();

        // Not one after all: the held bytes come out with the next read's, two more than it received.
        codec.FromTerminal([(byte)'b'], toHost, new ArrayBufferWriter<byte>());
        Assert.Equal([0xFF, 0xFF, (byte)'b'], toHost.WrittenSpan.ToArray());
        Assert.Equal(0, codec.Held);
        Assert.True(3 <= MuxLimits.Window);
    }

    private static byte[] Shown(ILineCodec codec, byte[] fromHost)
    {
        var shown = new ArrayBufferWriter<byte>();
        codec.ToTerminal(fromHost, shown);
        return shown.WrittenSpan.ToArray();
    }
}
