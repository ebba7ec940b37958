namespace RemoteLogin.Protocols.Mux;

/// <summary>The numbers both ends of a mux connection must agree on, each said once.</summary>
public static class MuxLimits
{
    /// <summary>type (1 byte), terminal (2, big-endian), payload length (2, big-endian).</summary>
    public const int HeaderLength = 5;

    /// <summary>
    /// The largest DATA payload: a frame is read whole before it is handed on, so this bounds what one terminal can
    /// make the reader hold, and keeps a frame of one terminal from delaying its neighbours' for long.
    /// </summary>
    public const int MaxDataPayload = 4096;

    /// <summary>The largest OPEN name, CLOSE reason or ERROR message; a writer cuts longer text at a character.</summary>
    public const int MaxTextPayload = 256;

    /// <summary>
    /// Bytes of one terminal, in one direction, that may be in flight unconsumed: the window every terminal starts
    /// with at its OPEN. A terminal that stops reading stops its own sender at this, never the connection.
    /// </summary>
    public const int Window = 64 * 1024;

    /// <summary>A receiver grants credit back in lumps of at least this, so CREDIT frames cost a quarter window each, not a frame.</summary>
    public const int CreditThreshold = Window / 4;

    /// <summary>Terminal 0 is the connection itself (ERROR); terminals are numbered from 1.</summary>
    public const ushort ConnectionTerminal = 0;
}
