using System.Globalization;
using RemoteLogin.Measurement;

namespace RemoteLogin.Results;

/// <summary>
/// The concentrator process over a run's timed pass (the concentrator scenario): its CPU, from /proc/PID/stat in clock
/// ticks (10 ms each), and its threads' context switches, from outside, as <see cref="ThreadContextSwitches"/> reads
/// them; <see cref="ThreadsExited"/> threads took their switches with them. The front-end processor's own price.
/// </summary>
public sealed record ConcentratorCost(long CpuMicros, long ContextSwitches, int ThreadsExited)
{
    /// <summary>One reading of a process, to subtract from a later one.</summary>
    public sealed record Reading(long CpuMicros, ThreadContextSwitches Switches)
    {
        public static Reading Of(int processId) => new(CpuMicrosOf(processId), ThreadContextSwitches.Read(processId));

        public static ConcentratorCost operator -(Reading end, Reading start)
        {
            var switches = end.Switches.Since(start.Switches);
            return new(end.CpuMicros - start.CpuMicros, switches.Voluntary + switches.Involuntary, switches.ThreadsExited);
        }
    }

    /// <summary>utime + stime of every thread, live and gone, from /proc/PID/stat (proc(5): fields 14 and 15, after the command's parenthesis).</summary>
    private static long CpuMicrosOf(int processId)
    {
        string stat = File.ReadAllText($"/proc/{processId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1_000_000 / ClockTicksPerSecond;
    }

    /// <summary>USER_HZ, which Linux fixes at 100 for every architecture the project runs on.</summary>
    private const long ClockTicksPerSecond = 100;
}
