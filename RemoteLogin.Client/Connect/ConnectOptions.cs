using RemoteLogin.Vocabulary;

namespace RemoteLogin.Client.Connect;

public sealed record ConnectOptions(string Host, int Port, WireProtocol Protocol, TimeSpan OpenTimeout);
