using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Connect;

internal sealed record ConnectOptions(string Host, int Port, WireProtocol Protocol, TimeSpan OpenTimeout);
