using System.Globalization;
using BenchmarkDotNet.Analysers;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Validators;
using RemoteLogin.Measurement;
using RunMode = BenchmarkDotNet.Diagnosers.RunMode;

namespace RemoteLogin.Bench.Micro;

/// <summary>
/// Voluntary and involuntary context switches per operation of the benchmark process, every thread of it: the host
/// reads /proc/PID/task/*/status when the engine signals the start and the end of the actual run (the engine waits
/// for the host meanwhile) and divides by the operations of the actual iterations. Linux counts per thread, so a
/// thread that exits in between takes its switches along: the suite runs with <see cref="KeepThreadPoolThreadsAlive"/>
/// (an idle worker otherwise exits after 20 s), a job without it gets a validation warning, and a case that lost a
/// thread anyway gets a "Threads exited" column and a warning. A thread that starts and exits between the two reads
/// leaves no trace in /proc; the benchmarks here start none during the actual run. The engine's own work (its signal
/// to the host, the collection it forces between iterations) adds a few switches per iteration, spread over the
/// iteration's operations: nothing in a real run, most of what a dry run's single operation shows.
/// </summary>
internal sealed class ContextSwitchDiagnoser : IDiagnoser
{
    public static ContextSwitchDiagnoser Default { get; } = new();

    /// <summary>
    /// Every job runs with thread-pool workers kept alive. An environment variable of the job, so the summary's job line
    /// shows it; a mutator, so <c>--job dry</c> or <c>short</c> keep it. Given to the suite's config rather than with
    /// the diagnoser's attribute, so that a command line's <c>--envVars</c>, which replaces a job's variables, comes
    /// after it and wins; the validation warning then says what was lost.
    /// </summary>
    public static Job KeepThreadPoolThreadsAlive { get; } =
        Job.Default.WithEnvironmentVariable(RuntimeSwitches.ThreadPoolThreadsToKeepAlive, "-1").AsMutator();

    private static readonly CountMetric Voluntary = new(
        "VoluntaryContextSwitchesPerOperation", "Voluntary ctx sw/op",
        "Context switches per operation where a thread of the benchmark process gave up the CPU (blocked, slept, yielded), all threads, /proc", 10);

    private static readonly CountMetric Involuntary = new(
        "InvoluntaryContextSwitchesPerOperation", "Involuntary ctx sw/op",
        "Context switches per operation where the kernel preempted a thread of the benchmark process, all threads, /proc", 11);

    private static readonly CountMetric ThreadsExited = new(
        "ThreadsExitedDuringActualRun", "Threads exited",
        "Threads of the benchmark process that exited during the actual run: their context switches are missing from the ctx sw/op columns", 12,
        shownWhenZero: false);

    private readonly Lock _lock = new();
    private readonly Dictionary<BenchmarkCase, ThreadContextSwitches> _beforeActualRun = [];
    private readonly Dictionary<BenchmarkCase, ThreadContextSwitches.Between> _actualRun = [];

    private ContextSwitchDiagnoser()
    {
    }

    public IEnumerable<string> Ids => [nameof(ContextSwitchDiagnoser)];

    public IEnumerable<IExporter> Exporters => [];

    public IEnumerable<IAnalyser> Analysers => [ExitedThreadsAnalyser.Instance];

    public RunMode GetRunMode(BenchmarkCase benchmarkCase) => RunMode.NoOverhead;

    public void Handle(HostSignal signal, DiagnoserActionParameters parameters)
    {
        if (signal is not (HostSignal.BeforeActualRun or HostSignal.AfterActualRun))
        {
            return;
        }
        var now = ThreadContextSwitches.Read(parameters.Process.Id);
        lock (_lock)
        {
            if (signal == HostSignal.BeforeActualRun)
            {
                _beforeActualRun[parameters.BenchmarkCase] = now;
            }
            else if (_beforeActualRun.Remove(parameters.BenchmarkCase, out var before))
            {
                _actualRun[parameters.BenchmarkCase] = now.Since(before);
            }
        }
    }

    public IEnumerable<Metric> ProcessResults(DiagnoserResults results)
    {
        ThreadContextSwitches.Between actualRun;
        lock (_lock)
        {
            if (!_actualRun.Remove(results.BenchmarkCase, out actualRun))
            {
                return []; // the run failed before its end: no column is better than a made-up one
            }
        }
        // DiagnoserResults.TotalOperations counts warm-up and pilot iterations too; the reads bracket only these.
        double operations = results.Measurements
            .Where(m => m.IterationMode == IterationMode.Workload && m.IterationStage == IterationStage.Actual)
            .Sum(m => m.Operations);
        return
        [
            new Metric(Voluntary, actualRun.Voluntary / operations),
            new Metric(Involuntary, actualRun.Involuntary / operations),
            new Metric(ThreadsExited, actualRun.ThreadsExited),
        ];
    }

    public void DisplayResults(ILogger logger)
    {
    }

    public IEnumerable<ValidationError> Validate(ValidationParameters validationParameters)
    {
        if (!OperatingSystem.IsLinux())
        {
            yield return new ValidationError(true, $"{nameof(ContextSwitchDiagnoser)} reads /proc: Linux only");
            yield break;
        }
        foreach (var benchmark in validationParameters.Benchmarks)
        {
            bool inProcess = benchmark.Job.Infrastructure.Toolchain?.IsInProcess == true;
            bool keptAlive = inProcess
                ? Environment.GetEnvironmentVariable(RuntimeSwitches.ThreadPoolThreadsToKeepAlive) == "-1"
                : benchmark.Job.Environment.EnvironmentVariables?.Any(v => v.Key == RuntimeSwitches.ThreadPoolThreadsToKeepAlive && v.Value == "-1") == true;
            if (!keptAlive)
            {
                yield return new ValidationError(
                    false,
                    $"{RuntimeSwitches.ThreadPoolThreadsToKeepAlive} is not -1 in this job (an --envVars replaces it; add "
                    + $"{RuntimeSwitches.ThreadPoolThreadsToKeepAlive}:-1 there), so idle thread-pool workers may exit during the actual run "
                    + "and take their context switches along (see the Threads exited column)",
                    benchmark);
            }
        }
    }

    /// <summary>A count per operation, or per run, in the summary's Metric columns.</summary>
    private sealed class CountMetric(string id, string displayName, string legend, int priority, bool shownWhenZero = true) : IMetricDescriptor
    {
        public string Id => id;

        public string DisplayName => displayName;

        public string Legend => legend;

        public string NumberFormat => "0.####";

        public UnitType UnitType => UnitType.Dimensionless;

        public string Unit => "Count";

        public bool TheGreaterTheBetter => false;

        public int PriorityInCategory => priority;

        public bool GetIsAvailable(Metric metric) => shownWhenZero || metric.Value > 0;
    }

    /// <summary>Says so, case by case, when the ctx sw/op columns are short of an exited thread's switches.</summary>
    private sealed class ExitedThreadsAnalyser : AnalyserBase
    {
        public static ExitedThreadsAnalyser Instance { get; } = new();

        public override string Id => "ExitedThreads";

        protected override IEnumerable<Conclusion> AnalyseReport(BenchmarkReport report, Summary summary)
        {
            if (report.Metrics.TryGetValue(ThreadsExited.Id, out var exited) && exited.Value > 0)
            {
                yield return CreateWarning(
                    $"{exited.Value.ToString(CultureInfo.InvariantCulture)} thread(s) exited during the actual run; the ctx sw/op columns miss their switches",
                    report);
            }
        }
    }
}
