namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// Something went wrong on, or on the way to, a lab host: unreachable, refused, not authenticated, an unknown or changed
/// host key, a remote command or program that failed. The message is one line that starts with the host, so the bench
/// can print it as it is and the user knows which machine to look at.
/// </summary>
internal sealed class HostException(string host, string message) : Exception($"{host}: {message}")
{
    /// <summary>The ssh target as the user gave it ([USER@]HOST).</summary>
    public string Host { get; } = host;

    /// <summary>The message without the host.</summary>
    public string Reason { get; } = message;
}
