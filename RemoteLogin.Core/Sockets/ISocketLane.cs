namespace RemoteLogin.Sockets;

/// <summary>
/// One direction of work on a socket, written once as a step machine: <see cref="Step"/> says what it needs next and
/// the driver (<see cref="BlockingDriver"/>, <see cref="AsyncDriver"/>, or a completion loop) does it and reports
/// back. Only one driver thread steps a lane at a time; a session may have two lanes (receive and send) stepped apart.
/// </summary>
public interface ISocketLane
{
    SocketStep Step();

    /// <summary>After <see cref="SocketNeed.Receive"/>: where the bytes go. Renting happens here, not in <see cref="Step"/>.</summary>
    Memory<byte> ReceiveBuffer();

    /// <summary>The receive into <see cref="ReceiveBuffer"/> brought <paramref name="bytes"/>; 0 is the end of the stream.</summary>
    void Received(int bytes);

    /// <summary>The send of the step's <see cref="SocketStep.Bytes"/> took their first <paramref name="bytes"/>.</summary>
    void Sent(int bytes);

    /// <summary>The driver's call failed with <paramref name="error"/>: release everything and pass the end on; no step follows.</summary>
    void Abandon(Exception error);
}
