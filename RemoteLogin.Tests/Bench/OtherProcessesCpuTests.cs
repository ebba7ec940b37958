using System.Globalization;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Processes;
using RemoteLogin.Tests.Support;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// A real busy process, counted when it is outside the excluded tree and not when it is inside. Each test waits
/// until the busy process has been charged CPU time, so what is asserted is a fact of /proc, not a speed.
/// </summary>
public class OtherProcessesCpuTests
{
    private const uint PF_KTHREAD = 0x00200000;

    [Fact]
    public async Task A_busy_process_outside_the_excluded_tree_is_counted()
    {
        using var otherRoot = Start("sleep", "600"); // a tree the busy process is not in
        try
        {
            var sample = OtherProcessesCpu.Start(otherRoot.Id);
            using var busy = await SpinUntilChargedAsync();
            var usage = sample.StopWithBreakdown();

            var counted = Assert.Single(usage.Processes, p => p.ProcessId == busy.Id);
            Assert.True(counted.CpuSeconds > 0, $"{counted}");
            Assert.True(usage.PercentOfOneCore > 0, $"{usage.PercentOfOneCore}% of one core");
            foreach (var process in usage.Processes)
            {
                Assert.False(IsKernelThread(process.ProcessId), $"{process} is a kernel thread");
            }
        }
        finally
        {
            otherRoot.Kill();
        }
    }

    [Fact]
    public async Task A_busy_process_outside_the_tree_whose_program_is_in_one_of_our_folders_is_not_counted()
    {
        // As a lab host's daemon is to the bench: outside its tree (sshd started it), running one of the run's programs.
        using var otherRoot = Start("sleep", "600");
        try
        {
            using var busy = await SpinUntilChargedAsync();
            string folder = Path.GetDirectoryName(new FileInfo($"/proc/{busy.Id}/exe").LinkTarget)!;
            var ours = OtherProcessesCpu.Start(otherRoot.Id, ourFolders: [folder]);
            var plain = OtherProcessesCpu.Start(otherRoot.Id); // the same, without the folder: it must count the shell
            long ticks = Ticks(busy.Id);
            await Eventually.AssertAsync(() => Ticks(busy.Id) > ticks, "the busy shell is charged more CPU time");

            Assert.DoesNotContain(ours.StopWithBreakdown().Processes, p => p.ProcessId == busy.Id);
            Assert.Contains(plain.StopWithBreakdown().Processes, p => p.ProcessId == busy.Id);
        }
        finally
        {
            otherRoot.Kill();
        }
    }

    [Fact]
    public async Task A_busy_descendant_of_the_root_is_not_counted()
    {
        var sample = OtherProcessesCpu.Start(); // this process's tree: the busy shell is its child
        using var busy = await SpinUntilChargedAsync();
        var usage = sample.StopWithBreakdown();

        Assert.DoesNotContain(usage.Processes, p => p.ProcessId == busy.Id);
        Assert.DoesNotContain(usage.Processes, p => p.ProcessId == Environment.ProcessId);
    }

    /// <summary>A shell spinning in a loop, returned once /proc charges it at least one tick of CPU time (killed on dispose).</summary>
    private static async Task<Spinner> SpinUntilChargedAsync()
    {
        var spinner = new Spinner(Start("sh", "-c", "while :; do :; done"));
        try
        {
            await Eventually.AssertAsync(() => Ticks(spinner.Id) > 0, "the busy shell is charged CPU time");
            return spinner;
        }
        catch
        {
            spinner.Dispose();
            throw;
        }
    }

    private sealed class Spinner(ChildProcess process) : IDisposable
    {
        public int Id => process.Id;

        public void Dispose() => process.Dispose();
    }

    private static ChildProcess Start(string program, params string[] arguments) => ChildProcess.Start(ChildStart.Stock(program, arguments));

    private static string[]? StatFields(int processId)
    {
        try
        {
            string line = File.ReadAllText($"/proc/{processId}/stat");
            return line[(line.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long Ticks(int processId) => StatFields(processId) is { } fields
        ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
        : 0;

    private static bool IsKernelThread(int processId) =>
        StatFields(processId) is { } fields && (uint.Parse(fields[6], CultureInfo.InvariantCulture) & PF_KTHREAD) != 0;
}
