using System.Globalization;
using System.Net;

namespace RemoteLogin.Server.Protocols.Mux;

/// <summary>
/// Where a terminal behind a concentrator is: its mux connection's peer and its number there, written
/// "ADDRESS:PORT/TERMINAL", so that every log line and event names it as it names a connection of its own.
/// </summary>
internal sealed class TerminalEndPoint(IPEndPoint connection, ushort terminal) : EndPoint
{
    public IPEndPoint Connection { get; } = connection;

    public ushort Terminal { get; } = terminal;

    public override string ToString() => $"{Connection}/{Terminal.ToString(CultureInfo.InvariantCulture)}";

    public override bool Equals(object? obj) => obj is TerminalEndPoint other && other.Connection.Equals(Connection) && other.Terminal == Terminal;

    public override int GetHashCode() => HashCode.Combine(Connection, Terminal);

    public static bool TryParse(string text, out TerminalEndPoint? endPoint)
    {
        endPoint = null;
        int slash = text.LastIndexOf('/');
        if (slash < 0
            || !IPEndPoint.TryParse(text[..slash], out var connection)
            || !ushort.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out ushort terminal))
        {
            return false;
        }
        endPoint = new TerminalEndPoint(connection, terminal);
        return true;
    }
}
