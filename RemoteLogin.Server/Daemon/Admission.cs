using System.Net;

namespace RemoteLogin.Server.Daemon;

/// <summary>Why a connection was closed at once, before any opening: each is counted on the meter under its own name.</summary>
internal enum RefusalReason
{
    /// <summary>--max-sessions were live.</summary>
    MaxSessions,
    /// <summary>Too many sessions were still opening (--max-startups, sshd's early drop).</summary>
    MaxStartups,
    /// <summary>Its address had --max-sessions-per-source live already.</summary>
    MaxSessionsPerSource,
}

/// <summary>
/// The daemon's door: which connections become sessions. It counts live sessions (all, and by address) and those
/// still opening, under one lock, so that a limit is never passed by two accepts racing. The accept loop asks; the
/// session gives back what it took through its <see cref="AdmissionTicket"/>.
/// </summary>
internal sealed class Admission(DaemonOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _bySource = [];
    private int _live;
    private int _starting;

    /// <summary>A ticket for a new session from <paramref name="source"/>, or null and why not.</summary>
    public AdmissionTicket? TryAdmit(IPAddress? source, out RefusalReason refused)
    {
        lock (_gate)
        {
            int fromSource = source is null ? 0 : _bySource.GetValueOrDefault(source);
            refused = _live >= options.MaxSessions ? RefusalReason.MaxSessions
                : fromSource >= options.MaxSessionsPerSource ? RefusalReason.MaxSessionsPerSource
                : !options.MaxStartups.Admits(_starting, Random.Shared.NextDouble() * 100) ? RefusalReason.MaxStartups
                : (RefusalReason)(-1);
            if (refused >= 0)
            {
                return null;
            }
            _live++;
            _starting++;
            if (source is not null)
            {
                _bySource[source] = fromSource + 1;
            }
            return new AdmissionTicket(this, source);
        }
    }

    private void Release(IPAddress? source, bool session, bool startup)
    {
        lock (_gate)
        {
            _starting -= startup ? 1 : 0;
            if (!session)
            {
                return;
            }
            _live--;
            if (source is not null)
            {
                int left = _bySource[source] - 1;
                if (left == 0)
                {
                    _bySource.Remove(source); // a flood of addresses must not leave an entry each behind
                }
                else
                {
                    _bySource[source] = left;
                }
            }
        }
    }

    /// <summary>One admitted session's places: its opening's, given back once it is served, and its own, at its end.</summary>
    internal sealed class AdmissionTicket(Admission admission, IPAddress? source) : IDisposable
    {
        private int _startupHeld = 1;
        private int _sessionHeld = 1;

        /// <summary>The session is served now (its opening is over, its child up): it no longer counts as starting.</summary>
        public void StartupDone()
        {
            if (Interlocked.Exchange(ref _startupHeld, 0) == 1)
            {
                admission.Release(source, session: false, startup: true);
            }
        }

        /// <summary>The session is over: everything it held is given back.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _sessionHeld, 0) == 1)
            {
                admission.Release(source, session: true, startup: Interlocked.Exchange(ref _startupHeld, 0) == 1);
            }
        }
    }
}
