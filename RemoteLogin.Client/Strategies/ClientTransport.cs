using System.Diagnostics;
using System.Net.Sockets;
using RemoteLogin.Client.Integrity;
using RemoteLogin.Client.Native;
using RemoteLogin.Measurement;

namespace RemoteLogin.Client.Strategies;

/// <summary>What shapes a session's buffering besides the strategy itself.</summary>
public sealed record TransportSettings(int Window, int BatchSize, TimeSpan BatchDelay, TimeSpan EchoTimeout)
{
    public static TransportSettings Default { get; } = new(4096, 64, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5));
}

/// <summary>
/// One session's connection as a client buffer strategy drives it. Characters are typed into the session's
/// <see cref="EchoWindow"/>; the strategy decides how they reach the socket and how echoes come back to be checked.
/// Typing happens on one thread (the simulated user); echoes may be read on another.
/// </summary>
public abstract class ClientTransport : IDisposable
{
    protected ClientTransport(Socket socket, EchoWindow window, TransportSettings settings)
    {
        Socket = socket;
        Window = window;
        Settings = settings;
    }

    public EchoWindow Window { get; }

    protected Socket Socket { get; }

    protected TransportSettings Settings { get; }

    /// <summary>The <see cref="Stopwatch"/> timestamp by which characters held back must be sent; <see cref="long.MaxValue"/> when none are.</summary>
    public virtual long FlushDeadline => long.MaxValue;

    /// <summary>Open loop: read echoes in the background from now on, so typing never waits for them.</summary>
    public abstract void StartReceiving();

    /// <summary>Send whatever the strategy holds back.</summary>
    public virtual void Flush()
    {
    }

    /// <summary>Type <paramref name="count"/> characters that the user meant to send at <paramref name="intendedAt"/>.</summary>
    public void Type(int count, long intendedAt)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Window.Capacity);
        if (Window.Room < count)
        {
            Flush(); // held-back characters fill the window too; only sending them makes room
            if (!Window.WaitForRoom(count, Settings.EchoTimeout))
            {
                Window.MarkOutstandingLost();
            }
        }
        long first = Window.Typed;
        Window.Type(count, intendedAt);
        Send(first, count);
    }

    /// <summary>Closed loop: type one character now and return once its echo is in (or given up as lost).</summary>
    public void RoundTrip()
    {
        Type(1, Stopwatch.GetTimestamp());
        FlushWhenDue();
        ReceiveUntilEchoed();
    }

    /// <summary>Wait out the strategy's hold-back, then send.</summary>
    public void FlushWhenDue()
    {
        while (FlushDeadline != long.MaxValue)
        {
            PreciseSleep.Until(FlushDeadline);
            Flush();
        }
    }

    /// <summary>Open loop: send what is held back and wait for every echo; what does not come back in time is lost.</summary>
    public void Drain()
    {
        FlushWhenDue();
        if (!Window.WaitUntilEchoed(Settings.EchoTimeout))
        {
            Window.MarkOutstandingLost();
        }
    }

    /// <summary>End the session: no more typing, then wait for the daemon to echo the rest and close.</summary>
    public abstract void Close();

    public virtual void Dispose()
    {
        Socket.Dispose();
        Window.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One blocking send of all of <paramref name="bytes"/>, which the kernel copies out of this process.</summary>
    protected void SendCopied(ReadOnlySpan<byte> bytes)
    {
        Socket.Send(bytes);
        CopyTally.ThisClient.OutOfUser(bytes.Length);
    }

    /// <summary>Characters [<paramref name="first"/>, +<paramref name="count"/>) were just typed into the window: put them on their way.</summary>
    protected abstract void Send(long first, int count);

    /// <summary>Closed loop: wait on this thread until every typed character has been echoed.</summary>
    protected abstract void ReceiveUntilEchoed();
}
