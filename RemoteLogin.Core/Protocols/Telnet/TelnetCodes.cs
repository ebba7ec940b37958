namespace RemoteLogin.Protocols.Telnet;

/// <summary>The bytes of RFC 854 and the options RemoteLogin negotiates (RFC 857 ECHO, RFC 858 SGA, RFC 1184 LINEMODE).</summary>
public static class TelnetCodes
{
    public const byte Iac = 255;
    public const byte Dont = 254;
    public const byte Do = 253;
    public const byte Wont = 252;
    public const byte Will = 251;
    public const byte Sb = 250;
    public const byte Se = 240;
    public const byte AreYouThere = 246;

    public const byte Cr = 13;
    public const byte Lf = 10;
    public const byte Nul = 0;

    public const byte Echo = 1;
    public const byte SuppressGoAhead = 3;
    public const byte Linemode = 34;

    public static bool IsNegotiation(byte verb) => verb is Will or Wont or Do or Dont;
}
