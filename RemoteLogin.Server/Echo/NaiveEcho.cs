using RemoteLogin.Sockets;

namespace RemoteLogin.Server.Echo;

/// <summary>The textbook loop: receive one byte, send its echo back, then read the next.</summary>
internal sealed class NaiveEcho : IEchoStrategy
{
    public EchoLanes Start(in EchoContext context) => new(new Lane(context.Framing, context.Meter));

    /// <summary>
    /// The session's one byte is its own, not a pooled buffer: holding it while the client is silent costs a byte, and
    /// waiting for data first would cost a peek per keystroke.
    /// </summary>
    private sealed class Lane(FramedEcho framing, IEchoMeter meter) : EchoEachReceive(framing, meter)
    {
        private readonly byte[] _oneByte = new byte[1];

        protected override bool WaitsForData => false;

        protected override Memory<byte> Take() => _oneByte;
    }
}
