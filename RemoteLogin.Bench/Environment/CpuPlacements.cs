using RemoteLogin.Processes;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Bench.RunEnvironment;

/// <summary>
/// What <see cref="CpuPlacement"/> means for each side. "same" puts every side on the first CPU the bench may use
/// (CPU 0 on an unconfined machine); "split" puts the daemon's side there and the client's side on the second.
/// </summary>
/// <remarks>
/// A started program is placed by <c>taskset --cpu-list N PROGRAM ARGS</c> (util-linux, on every Debian): taskset sets
/// its own affinity and execs the program, so the program keeps taskset's pid (what <c>perf stat -p PID</c> attaches
/// to) and every thread and child it ever has inherits the CPU, the runtime's threads included; its own figures count
/// the few system calls taskset makes before the exec. The .NET runtime sizes itself by the affinity it starts with
/// (Environment.ProcessorCount, the thread pool, the GC), as it would on a one-CPU machine: that is part of placing.
/// </remarks>
internal static class CpuPlacements
{
    private const string Taskset = "taskset";

    private static readonly Lazy<IReadOnlyList<int>> s_allowed = new(() => CpuList.Allowed("/proc/self/status") ?? []);

    /// <summary>
    /// Why this placement cannot be had on this machine ("split" on one CPU, no taskset), or null when it can: for the
    /// bench to refuse at the start with a one-line error, not mid-run.
    /// </summary>
    public static string? WhyImpossible(this CpuPlacement placement) => placement.WhyImpossible(s_allowed.Value);

    /// <summary>As <see cref="WhyImpossible(CpuPlacement)"/> for a process allowed <paramref name="allowedCpus"/>: a test names a one-CPU machine.</summary>
    public static string? WhyImpossible(this CpuPlacement placement, IReadOnlyList<int> allowedCpus)
    {
        int needed = placement switch
        {
            CpuPlacement.Same => 1,
            CpuPlacement.Split => 2,
            _ => 0,
        };
        if (needed == 0)
        {
            return null;
        }
        if (allowedCpus.Count < needed)
        {
            return $"--placement {placement.Name()} needs {needed} CPUs and this machine allows the bench {allowedCpus.Count} ({string.Join(",", allowedCpus)})";
        }
        if (!OnPath(Taskset))
        {
            return $"--placement {placement.Name()} starts programs under {Taskset}, which is not on PATH (Debian: apt-get install util-linux)";
        }
        return null;
    }

    /// <summary>The CPU the side runs on, or null under "default".</summary>
    /// <exception cref="InvalidOperationException">The placement is impossible here (<see cref="WhyImpossible"/>).</exception>
    public static int? CpuFor(this CpuPlacement placement, PlacementSide side)
    {
        if (placement == CpuPlacement.Default)
        {
            return null;
        }
        if (placement.WhyImpossible() is { } why)
        {
            throw new InvalidOperationException(why);
        }
        bool daemonSide = side is PlacementSide.Daemon or PlacementSide.FloorEcho;
        return s_allowed.Value[placement == CpuPlacement.Split && !daemonSide ? 1 : 0];
    }

    /// <summary>
    /// <paramref name="start"/> started on the side's CPU, every thread of it: the program becomes an argument of
    /// taskset. Under "default" it is left as it is. Apply it before handing the start to perf's launcher.
    /// </summary>
    /// <exception cref="InvalidOperationException">The placement is impossible here (<see cref="WhyImpossible"/>).</exception>
    public static ChildStart Apply(this CpuPlacement placement, ChildStart start, PlacementSide side) =>
        placement.CpuFor(side) is { } cpu
            ? start.Under(Taskset, "--cpu-list", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : start;

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
