using System.ComponentModel;
using System.Globalization;
using System.IO.Pipes;
using RemoteLogin.Native;
using RemoteLogin.Processes;

namespace RemoteLogin.Bench.Counters;

/// <summary>
/// System calls of one process, with every thread and child process it has or starts, counted by <c>perf stat</c> on
/// the raw_syscalls:sys_enter tracepoint: a software event, so it counts on virtual machines without hardware
/// counters. perf starts with the event off and counts only between <see cref="Enable"/> and <see cref="Disable"/>,
/// told over its control descriptors, so the count covers the measured part and nothing else.
/// </summary>
internal sealed class PerfSyscalls : IDisposable
{
    private const string Event = "raw_syscalls:sys_enter";

    /// <summary>How the counts are taken, as results name it.</summary>
    public const string Method = "perf stat -e " + Event + ", per process with its threads and children, over the measured part";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(10);

    private readonly AnonymousPipeServerStream _commands;
    private readonly StreamReader _ackLines;
    private readonly string _output;
    private readonly bool _attached;

    private PerfSyscalls(ChildProcess perf, AnonymousPipeServerStream commands, AnonymousPipeServerStream acks, string output, bool attached)
    {
        Child = perf;
        _commands = commands;
        _ackLines = new StreamReader(acks);
        _output = output;
        _attached = attached;
    }

    /// <summary>perf itself; when it launched the workload, the workload's standard streams are perf's, and so is its description.</summary>
    public ChildProcess Child { get; }

    /// <summary>Why perf cannot count system calls on this machine, or null when it can. Asks perf once.</summary>
    public static string? Unavailable() => s_unavailable.Value;

    private static readonly Lazy<string?> s_unavailable = new(ProbeOnce);

    /// <summary>
    /// Count a running process from now on, its threads and children too, those it starts later included. Returns
    /// once perf has its counters open on every thread: perf answers its first command only then, and a thread or
    /// child started before that would go uncounted.
    /// </summary>
    public static PerfSyscalls Attach(int processId)
    {
        var perf = Start(["-p", processId.ToString(CultureInfo.InvariantCulture)], workload: null);
        try
        {
            perf.Disable(); // off already: this only waits for perf to be ready
            return perf;
        }
        catch
        {
            perf.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Start <paramref name="workload"/> under perf, so that not one of its threads is missed; its standard streams
    /// are perf's, which the workload inherits.
    /// </summary>
    public static PerfSyscalls Launch(ChildStart workload) => Start(["--"], workload);

    public void Enable() => Command("enable");

    public void Disable() => Command("disable");

    /// <summary>
    /// The count between <see cref="Enable"/> and <see cref="Disable"/>, or null when perf has no number for it. An
    /// attached perf is stopped here; one that launched its workload ends with it, so wait for that first.
    /// </summary>
    public long? Count()
    {
        if (_attached && !Child.HasExited)
        {
            Posix.Interrupt(Child.Id); // perf stat prints its counts on SIGINT
        }
        if (!Child.WaitForExit(ReplyTimeout))
        {
            throw new TimeoutException("perf stat did not exit");
        }
        return Parse(File.ReadAllLines(_output));
    }

    public void Dispose()
    {
        Child.Dispose();
        _ackLines.Dispose();
        _commands.Dispose();
        File.Delete(_output);
    }

    /// <param name="target">perf's last arguments: what it counts ("-p PID"), or "--" before the <paramref name="workload"/> it launches.</param>
    private static PerfSyscalls Start(string[] target, ChildStart? workload)
    {
        // perf reads commands from one inherited descriptor and acknowledges each on another.
        var commands = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        var acks = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        string output = Path.GetTempFileName();
        try
        {
            string[] arguments =
            [
                "stat", "-x,", "-e", Event, "-o", output, "--delay", "-1",
                "--control", $"fd:{commands.GetClientHandleAsString()},{acks.GetClientHandleAsString()}", .. target,
            ];
            var perf = ChildProcess.Start(workload?.Under("perf", arguments) ?? ChildStart.Stock("perf", arguments));
            return new PerfSyscalls(perf, commands, acks, output, attached: workload is null);
        }
        catch
        {
            commands.Dispose();
            acks.Dispose();
            File.Delete(output);
            throw;
        }
        finally
        {
            // Only perf keeps the other ends: a process started after it must not inherit them.
            commands.DisposeLocalCopyOfClientHandle();
            acks.DisposeLocalCopyOfClientHandle();
        }
    }

    private void Command(string command)
    {
        _commands.Write(System.Text.Encoding.ASCII.GetBytes(command + "\n"));
        _commands.Flush();
        string? reply;
        try
        {
            reply = _ackLines.ReadLineAsync().WaitAsync(ReplyTimeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"perf stat did not acknowledge '{command}' within {ReplyTimeout.TotalSeconds} s");
        }
        if (reply?.Trim('\0') != "ack") // perf writes the C string "ack\n" with its terminating NUL
        {
            string error = _attached && Child.HasExited ? Child.StandardError.Trim() : "";
            throw new InvalidOperationException($"perf stat answered '{command}' with '{reply}' {error}".Trim());
        }
    }

    /// <summary>The count from perf's CSV output (-x,): "COUNT,UNIT,EVENT,RUNNING TIME,PERCENT ENABLED,...".</summary>
    public static long? Parse(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            var fields = line.Split(',');
            if (fields.Length > 3 && fields[2] == Event)
            {
                if (long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                {
                    return count;
                }
                // "<not counted>" with no running time: counting was on, and not one thread of the process ran. The
                // tracepoint fires in the calling thread's own context, so it made no system call: 0 is the count.
                // Anything else ("<not supported>") is no number, and the bench makes none up.
                return fields[0] == "<not counted>" && fields[3] == "0" ? 0 : null;
            }
        }
        return null;
    }

    /// <summary>
    /// Count a short program the way the bench counts its client, control descriptors and all: why perf cannot count
    /// here, or null when it counted. <see cref="Unavailable"/> asks this once; every call asks perf anew.
    /// </summary>
    public static string? ProbeOnce()
    {
        try
        {
            // The workload must outlive "enable": a program that ends by itself ("true") may be gone before perf reads
            // the command, and perf then never answers it (11 launches in 12 lost that race). cat waits on its stdin,
            // perf's, a pipe from here, and ends only when this closes it, after perf has acknowledged.
            using var perf = Launch(ChildStart.Stock("cat"));
            _ = perf.Child.Output.ReadToEndAsync(); // nothing comes; read so that nothing can block
            try
            {
                perf.Enable();
            }
            finally
            {
                perf.Child.Input.Close(); // cat reads the end, and exits: its last system calls are counted
            }
            if (!perf.Child.WaitForExit(ReplyTimeout))
            {
                return $"perf stat -e {Event} did not end within {ReplyTimeout.TotalSeconds} s of its workload's input closing";
            }
            if (perf.Child.ExitCode != 0)
            {
                return $"perf stat -e {Event} failed: {perf.Child.StandardError.Trim().Split('\n').FirstOrDefault()}";
            }
            // The proof that it counts: cat's last system calls (its read of the end, its exit) came after "enable".
            return perf.Count() > 0 ? null : $"perf stat counted no {Event} events for 'cat': {File.ReadAllText(perf._output).Trim()}";
        }
        catch (Win32Exception)
        {
            return "perf is not installed (Debian: apt-get install linux-perf)";
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            return $"perf stat -e {Event} failed: {e.Message}";
        }
    }
}
