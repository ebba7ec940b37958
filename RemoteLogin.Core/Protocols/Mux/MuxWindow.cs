namespace RemoteLogin.Protocols.Mux;

/// <summary>
/// The sending side of one terminal's flow control: what may still be sent before the peer grants more. It starts
/// at <see cref="MuxLimits.Window"/> at the terminal's OPEN; a peer that grants more than it was sent is broken.
/// </summary>
public sealed class MuxSendWindow
{
    public int Available { get; private set; } = MuxLimits.Window;

    /// <summary>How many of <paramref name="wanted"/> bytes may go now, taken from the window.</summary>
    public int Take(int wanted)
    {
        int granted = Math.Min(wanted, Available);
        Available -= granted;
        return granted;
    }

    /// <summary>False if the credit would open the window past its size: the peer returned bytes it never had.</summary>
    public bool Grant(uint credit)
    {
        if (credit > (uint)(MuxLimits.Window - Available))
        {
            return false;
        }
        Available += (int)credit;
        return true;
    }
}

/// <summary>
/// The receiving side of one terminal's flow control: it checks that the sender keeps within the window, and says
/// when to grant credit for bytes the terminal has consumed (in lumps of <see cref="MuxLimits.CreditThreshold"/>).
/// </summary>
public sealed class MuxReceiveWindow
{
    private int _unconsumed; // received, not yet consumed by the terminal
    private int _uncredited; // consumed, not yet granted back

    /// <summary>False if these bytes overrun the window: the sender ignored its credit.</summary>
    public bool Receive(int bytes)
    {
        if (bytes > MuxLimits.Window - _unconsumed - _uncredited)
        {
            return false;
        }
        _unconsumed += bytes;
        return true;
    }

    /// <summary>The terminal has taken these bytes; returns the credit to send now, or 0 while it is under the threshold.</summary>
    public uint Consumed(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _unconsumed);
        _unconsumed -= bytes;
        _uncredited += bytes;
        if (_uncredited < MuxLimits.CreditThreshold)
        {
            return 0;
        }
        uint credit = (uint)_uncredited;
        _uncredited = 0;
        return credit;
    }
}
