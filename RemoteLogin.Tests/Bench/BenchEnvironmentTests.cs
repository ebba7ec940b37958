using System.Text.Json;
using System.Text.RegularExpressions;
using RemoteLogin.Bench.RunEnvironment;
using RemoteLogin.Results;
using RemoteLogin.Tests.Support;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Bench;

/// <summary>
/// The environment header read from this machine's own /proc and /sys, from a made-up tree where every source is
/// absent, and from one with the sources this virtual machine lacks (cpufreq); and its results.json shape.
/// </summary>
public partial class BenchEnvironmentTests
{
    private static readonly string[] DesignNames =
    [
        "commit", "kernel", "cmdline", "governor", "frequencyMHz", "idleGovernor", "idleStates", "clocksource", "thp",
        "mitigations", "loadAverage", "stealPercent", "otherCpuPercent", "dotnetEnvironment", "placement", "cpuIdle",
    ];

    private static readonly Dictionary<string, string?> ClientVariables = new()
    {
        ["DOTNET_TieredPGO"] = "0", ["PATH"] = "/usr/bin", ["DOTNET_gcServer"] = null, ["COMPlus_X"] = "1",
    };

    private static readonly Dictionary<string, string?> DaemonVariables = new() { ["DOTNET_TieredCompilation"] = "0" };

    [Fact]
    public void Every_source_reads_from_this_machine()
    {
        var environment = EnvironmentProbe.Start(CpuPlacement.Same, CpuIdle.Default, "default").Finish(ClientVariables, DaemonVariables, 1.5);

        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), environment.Kernel);
        Assert.Equal(File.ReadAllText("/proc/cmdline").Trim(), environment.Cmdline);
        Assert.Equal(File.ReadAllText("/sys/devices/system/clocksource/clocksource0/current_clocksource").Trim(), environment.Clocksource);
        Assert.Contains(environment.Thp, new[] { "always", "madvise", "never" });
        AssertReadOrUnavailable("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", environment.Governor);
        AssertReadOrUnavailable("/sys/devices/system/cpu/cpuidle/current_governor", environment.IdleGovernor);
        Assert.True(environment.FrequencyMHz > 0, environment.FrequencySource);

        var stateDirectories = Directory.Exists("/sys/devices/system/cpu/cpu0/cpuidle")
            ? Directory.GetDirectories("/sys/devices/system/cpu/cpu0/cpuidle", "state*") : [];
        Assert.Equal(stateDirectories.Length, environment.IdleStates.Count);
        for (int i = 0; i < stateDirectories.Length; i++)
        {
            string state = $"/sys/devices/system/cpu/cpu0/cpuidle/state{i}";
            Assert.Equal(new IdleState(
                File.ReadAllText(state + "/name").Trim(),
                long.Parse(File.ReadAllText(state + "/latency").Trim()),
                File.ReadAllText(state + "/disable").Trim() == "1"), environment.IdleStates[i]);
        }

        string vulnerabilities = "/sys/devices/system/cpu/vulnerabilities";
        if (Directory.Exists(vulnerabilities))
        {
            Assert.NotNull(environment.Mitigations);
            Assert.Equal(Directory.GetFiles(vulnerabilities).Length, environment.Mitigations.Count);
            Assert.All(environment.Mitigations.Values, status => Assert.NotEmpty(status));
        }

        Assert.Equal(3, environment.LoadAverage.Start.Count);
        Assert.Equal(3, environment.LoadAverage.End.Count);
        Assert.InRange(environment.StealPercent.Start!.Value, 0, 100);
        Assert.InRange(environment.StealPercent.End!.Value, 0, 100);
        Assert.Equal(1.5, environment.OtherCpuPercent);

        // Only DOTNET_ variables with a value; names as given, not camel-cased.
        Assert.Equal(new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" }, environment.DotnetEnvironment.Client);
        Assert.Equal(new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" }, environment.DotnetEnvironment.Daemon);
        Assert.Equal(CpuPlacement.Same, environment.Placement);
        Assert.Equal(CpuIdle.Default, environment.CpuIdle);
        Assert.Equal("default", environment.CpuIdleStatus);

        var commit = CommitPattern().Match(environment.Commit);
        Assert.True(commit.Success, $"commit '{environment.Commit}'");
    }

    [Fact]
    public void The_commit_is_the_one_the_tests_were_built_from()
    {
        // The bench and the tests are built together, so the tests' own informational version names the same commit.
        string? version = typeof(BenchEnvironmentTests).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        string built = version.Split('+')[1];
        Assert.StartsWith(built, BuildCommit.Describe());
    }

    [Fact]
    public void It_serializes_with_every_name_of_the_design_and_reads_back()
    {
        var environment = EnvironmentProbe.Start(CpuPlacement.Split, CpuIdle.Poll, "poll: /dev/cpu_dma_latency held at 0 µs")
            .Finish(ClientVariables, DaemonVariables, 0.25);
        string json = ResultsJson.Serialize(environment);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        // DESIGN.md's names, and beside two of them where their figure came from.
        Assert.Equal(DesignNames.Concat(["frequencySource", "cpuIdleStatus"]).Order(), root.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("frequencyMHz").ValueKind);
        Assert.Equal("poll", root.GetProperty("cpuIdle").GetString());
        Assert.Equal(["end", "start"], root.GetProperty("loadAverage").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["end", "start"], root.GetProperty("stealPercent").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["client", "daemon"], root.GetProperty("dotnetEnvironment").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("0", root.GetProperty("dotnetEnvironment").GetProperty("client").GetProperty("DOTNET_TieredPGO").GetString());
        Assert.Equal("split", root.GetProperty("placement").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("idleStates").ValueKind);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("loadAverage").GetProperty("start")[0].ValueKind);

        var back = ResultsJson.Deserialize<BenchEnvironment>(json);
        Assert.Equal(environment.Kernel, back.Kernel);
        Assert.Equal(environment.IdleStates, back.IdleStates);
        Assert.Equal(environment.DotnetEnvironment.Client, back.DotnetEnvironment.Client);
        Assert.Equal(environment.Placement, back.Placement);
        Assert.Equal(ResultsJson.Serialize(environment), ResultsJson.Serialize(back));
    }

    [Fact]
    public void Absent_sources_read_as_unavailable()
    {
        string empty = Directory.CreateTempSubdirectory("remotelogin-env-").FullName;
        try
        {
            var environment = EnvironmentProbe.Start(CpuPlacement.Default, CpuIdle.Default, "default", new SystemFiles(empty)).Finish([], [], null);

            foreach (var text in new[] { environment.Kernel, environment.Cmdline, environment.Governor, environment.IdleGovernor, environment.Clocksource, environment.Thp })
            {
                Assert.StartsWith("unavailable", text);
            }
            Assert.Null(environment.FrequencyMHz);
            Assert.StartsWith("unavailable", environment.FrequencySource);
            Assert.Empty(environment.IdleStates);
            Assert.Null(environment.Mitigations);
            Assert.Empty(environment.LoadAverage.Start);
            Assert.Null(environment.StealPercent.Start);
            Assert.Null(environment.StealPercent.End);
            var lines = environment.Describe();
            Assert.Contains(lines, line => line.Contains("load unavailable → unavailable"));
            Assert.Contains(lines, line => line.Contains("mitigations: unavailable"));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public void Cpufreq_and_many_idle_states_read_where_the_kernel_has_them()
    {
        string root = Directory.CreateTempSubdirectory("remotelogin-env-").FullName;
        try
        {
            Write(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
            Write(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2400000\n");
            Write(root, "sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
            Write(root, "sys/devices/system/cpu/vulnerabilities/meltdown", "Mitigation: PTI\n");
            Write(root, "sys/devices/system/cpu/vulnerabilities/mds", "Vulnerable: Clear CPU buffers attempted, no microcode\n");
            for (int i = 0; i <= 10; i++)
            {
                string state = $"sys/devices/system/cpu/cpu0/cpuidle/state{i}";
                Write(root, state + "/name", $"C{i}\n");
                Write(root, state + "/latency", $"{i * 10}\n");
                Write(root, state + "/disable", i == 10 ? "1\n" : "0\n");
            }
            var environment = EnvironmentProbe.Start(CpuPlacement.Default, CpuIdle.Default, "default", new SystemFiles(root)).Finish([], [], null);

            Assert.Equal("performance", environment.Governor);
            Assert.Equal(2400, environment.FrequencyMHz);
            Assert.Equal("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", environment.FrequencySource);
            Assert.Equal("always", environment.Thp);
            Assert.Equal(Enumerable.Range(0, 11).Select(i => $"C{i}"), environment.IdleStates.Select(s => s.Name)); // state10 after state9
            Assert.Equal(new IdleState("C10", 100, Disabled: true), environment.IdleStates[^1]);
            Assert.Contains(environment.Describe(), line => line == "mitigations: 1 mitigated, vulnerable: mds");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_description_is_a_few_short_lines()
    {
        var environment = EnvironmentProbe.Start(CpuPlacement.Same, CpuIdle.Default, "default").Finish(ClientVariables, DaemonVariables, 1.5);
        var lines = environment.Describe();
        Assert.InRange(lines.Count, 3, 8);
        Assert.Contains(lines, line => line.Contains(environment.Kernel));
        Assert.Contains(lines, line => line.Contains("placement same, cpu idle default"));
        Assert.Contains(lines, line => line.Contains("client only DOTNET_TieredPGO=0; daemon only DOTNET_TieredCompilation=0"));
        Assert.Contains(lines, line => line.Contains("other processes 1.5% of one core"));

        // What both sides share is said once; the SDK's own settings are left to results.json.
        var shared = new Dictionary<string, string?> { ["DOTNET_TieredPGO"] = "0", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        var sharing = EnvironmentProbe.Start(CpuPlacement.Default, CpuIdle.Default, "default").Finish(shared, shared, null);
        Assert.Contains(sharing.Describe(), line => line == "DOTNET_ variables: both DOTNET_TieredPGO=0; client only none; daemon only none (and the SDK's own, in results.json)");
        Assert.Equal("1", sharing.DotnetEnvironment.Client["DOTNET_CLI_TELEMETRY_OPTOUT"]);
    }

    private static void AssertReadOrUnavailable(string path, string value)
    {
        if (File.Exists(path))
        {
            Assert.Equal(File.ReadAllText(path).Trim(), value);
        }
        else
        {
            Assert.StartsWith("unavailable", value);
        }
    }

    private static void Write(string root, string path, string text)
    {
        string file = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    [GeneratedRegex("^[0-9a-f]{40}(-dirty)?$")]
    private static partial Regex CommitPattern();
}
