using System.Buffers;
using RemoteLogin.Protocols.Rlogin;

namespace RemoteLogin.Server.Protocols.Rlogin;

/// <summary>
/// The echo of an rlogin session: the data as it came, less the window-size messages the client sends in it.
/// A read without 0xFF, while nothing is held from the read before, goes back as it came: the fast path.
/// </summary>
internal sealed class RloginEchoFraming : IEchoFraming, IRloginSink
{
    private readonly RloginWindowFilter _filter = new();
    private IBufferWriter<byte>? _echo;

    public bool InspectsData => true;

    public Framed Frame(ReadOnlySpan<byte> received, IBufferWriter<byte> echo)
    {
        if (!_filter.Holding && !received.Contains((byte)0xFF))
        {
            return Framed.Received;
        }
        _echo = echo;
        _filter.Read(received, this);
        _echo = null;
        return Framed.Written;
    }

    public void Finish(IBufferWriter<byte> echo)
    {
        _echo = echo;
        _filter.Flush(this);
        _echo = null;
    }

    void IRloginSink.Data(ReadOnlySpan<byte> data) => _echo!.Write(data);

    void IRloginSink.WindowSize(ushort rows, ushort columns, ushort xPixels, ushort yPixels)
    {
        // An echo has no screen to fit.
    }
}
