namespace RemoteLogin.Protocols;

/// <summary>
/// The server broke the protocol or did not finish its opening in time. The message is meant for the user as is,
/// and starts with the protocol's name ("rlogin: the server refused: ...").
/// </summary>
public sealed class LoginProtocolException(string message, Exception? inner = null) : Exception(message, inner);
