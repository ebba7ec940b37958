using System.Net;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// Where the daemon runs, and what reads its host: <see cref="Agent"/> is null on the bench's own machine, and
/// <see cref="Description"/> is the lab host as its companion described it when the bench connected.
/// </summary>
internal sealed record DaemonSide(IProgramHost Programs, IPAddress ListenAddress, IHostAgent? Agent, HostDescription? Description)
{
    public bool IsLocal => Programs.IsLocal;

    /// <summary>The lab host's interface that holds <see cref="ListenAddress"/>: the one whose packets and interrupts are counted.</summary>
    public string? Interface => Description?.Network?.Interface;
}

/// <summary>
/// A host that runs load clients; <see cref="Agent"/> and <see cref="Description"/> (read when the bench connected) are
/// null for the bench's own, which the document's "environment" describes.
/// </summary>
internal sealed record LoadSide(IProgramHost Programs, IHostAgent? Agent, HostDescription? Description)
{
    public string Name => Programs.Name;
}

/// <summary>
/// The hosts of one bench run (DESIGN "Two hosts"): the daemon's, and the load hosts, the first of which runs the
/// one-session scenarios and the floors' ping. A lab host named twice is one connection.
/// </summary>
internal sealed class BenchHosts : IDisposable
{
    /// <summary>The name of the bench's own host in --load-hosts.</summary>
    public const string Local = "local";

    private readonly List<LabHost> _opened;
    private readonly string? _published; // the one publish of a run with lab hosts, as it is here

    private BenchHosts(DaemonSide daemon, IReadOnlyList<LoadSide> loads, List<LabHost> opened, string? published)
    {
        Daemon = daemon;
        Loads = loads;
        _opened = opened;
        _published = published;
        Build = published is null ? null : RemoteInstall.KeyOf(published);
    }

    public DaemonSide Daemon { get; }

    public IReadOnlyList<LoadSide> Loads { get; }

    /// <summary>
    /// The folders this run's programs run from, on any host: what a host's outside-load watch leaves out (on emulated
    /// hosts, which share one machine, the other hosts' folders are there too).
    /// </summary>
    public IReadOnlyList<string> OurFolders =>
        _published is null ? [] : [AppContext.BaseDirectory, _published, .. _opened.Select(h => h.InstallDirectory)];

    /// <summary>In a run with lab hosts, the key of the one publish every host runs (the folder name in their caches).</summary>
    public string? Build { get; }

    public static BenchHosts Open(
        string? daemonHost, IReadOnlyList<string> loadHosts, string? sshConfig, IPAddress? dataAddress, CpuIdle cpuIdle,
        string scratchDirectory, Action<string> progress)
    {
        bool anyLab = daemonHost is not null || loadHosts.Any(h => h != Local);
        string? published = anyLab ? RemoteInstall.PublishedHere(progress) : null;
        var local = new LocalProgramHost(scratchDirectory, published);
        var opened = new List<LabHost>();
        try
        {
            LabHost Lab(string target, IPAddress? address)
            {
                var found = opened.FirstOrDefault(h => h.Name == target);
                if (found is null)
                {
                    found = LabHost.Open(target, sshConfig, address, cpuIdle, progress);
                    opened.Add(found);
                }
                return found;
            }
            DaemonSide daemon;
            if (daemonHost is null)
            {
                daemon = new DaemonSide(local, IPAddress.Loopback, null, null);
            }
            else
            {
                var lab = Lab(daemonHost, dataAddress);
                daemon = new DaemonSide(lab.Programs, lab.Address, lab.Agent, lab.Agent.Describe());
            }
            LoadSide Load(string name)
            {
                if (name == Local)
                {
                    return new LoadSide(local, null, null);
                }
                var lab = Lab(name, null);
                return new LoadSide(lab.Programs, lab.Agent, name == daemonHost ? daemon.Description : lab.Agent.Describe());
            }
            return new BenchHosts(daemon, [.. loadHosts.Select(Load)], opened, published);
        }
        catch
        {
            opened.ForEach(h => h.Dispose());
            throw;
        }
    }

    public void Dispose() => _opened.ForEach(h => h.Dispose());
}
