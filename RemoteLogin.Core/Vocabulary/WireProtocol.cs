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
}
