namespace RemoteLogin.Vocabulary;

/// <summary>What the bytes on the wire mean (DESIGN.md, "Protocols").</summary>
public enum WireProtocol
{
    /// <summary>RFC 862 echo.</summary>
    Raw,
    /// <summary>RFC 854 with remote echo and suppress-go-ahead.</summary>
    Telnet,
    /// <summary>RFC 1282.</summary>
    Rlogin,
    /// <summary>A terminal concentrator's: many terminals' sessions over one connection, each frame naming its terminal (docs/protocols.md).</summary>
    Mux,
}

public static class WireProtocols
{
    /// <summary>
    /// The protocols a terminal speaks: what a client, the load and the bench's sessions can open. mux is spoken
    /// between a concentrator and the daemon, and only a concentrator opens it.
    /// </summary>
    public static IReadOnlyList<WireProtocol> Terminal { get; } = [WireProtocol.Raw, WireProtocol.Telnet, WireProtocol.Rlogin];
}
