using RemoteLogin.Measurement;
using RemoteLogin.Server.Daemon;

namespace RemoteLogin.Server.Telemetry;

/// <summary>
/// The daemon's figures on demand (hidden option <c>--control-stdin</c>): a thread of its own reads request lines
/// from standard input and answers each with one line on standard output, <c>snapshot JSON</c> for
/// <c>snapshot</c> (<see cref="DaemonSnapshot"/>) and <c>error WHY</c> for anything else, so that a requester waiting
/// for its reply always gets one. A bench reads the daemon this way exactly at the edges of a measured part, with
/// nothing periodic inside it. What answering costs, reading the request, formatting and writing the reply, is this
/// thread's, and left out of the figures. End of standard input ends the responder; the daemon serves on.
/// </summary>
internal sealed class SnapshotResponder
{
    /// <summary>The thread's name, as /proc/PID/task/*/comm shows it (15 characters at most).</summary>
    public const string ThreadName = "snapshots";

    private readonly RemoteSideUsage _usage;
    private readonly Stream _requests;
    private readonly TextWriter _replies;
    private readonly IDaemonEvents _events;

    private SnapshotResponder(RemoteSideUsage usage, Stream requests, TextWriter replies, IDaemonEvents events)
    {
        _usage = usage;
        _requests = requests;
        _replies = replies;
        _events = events;
    }

    /// <summary>Answer the requests on <paramref name="requests"/> on <paramref name="replies"/>, from a background thread, until the requests end.</summary>
    internal static void Start(RemoteSideUsage usage, Stream requests, TextWriter replies, IDaemonEvents events) =>
        new Thread(new SnapshotResponder(usage, requests, replies, events).Serve) { IsBackground = true, Name = ThreadName }.Start();

    private void Serve()
    {
        // First thing on this thread: everything it does from here on, the reader it makes included, is its account.
        var account = new MeteringThread();
        using var requests = new StreamReader(_requests);
        try
        {
            string? request;
            while ((request = requests.ReadLine()) is not null)
            {
                string reply = request == DaemonSnapshot.Request
                    ? _usage.ReadOn(account).ToReply() // the reading first: formatting it is the next reading's to leave out
                    : $"{DaemonSnapshot.ErrorPrefix}unknown request '{Shortened(request)}' (the one request is '{DaemonSnapshot.Request}')";
                _replies.WriteLine(reply);
                _replies.Flush();
            }
        }
        catch (IOException e)
        {
            // Whoever asked has gone (its end of a pipe closed): nobody is left to answer, and the daemon serves on.
            _events.Raise(new SnapshotsStopped(e.Message));
        }
    }

    private static string Shortened(string request) => request.Length <= 40 ? request : request[..40] + "...";
}
