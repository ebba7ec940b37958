using System.Reflection;
using System.Text.Json;
using RemoteLogin.Measurement;
using RemoteLogin.Native;
using RemoteLogin.Results;
using RemoteLogin.Server.Subdaemons.Children;

namespace RemoteLogin.Tests.Measurement;

/// <summary>
/// Every counter set lists its fields once (<see cref="ICounterSet{TSelf}.Combine"/>) and gets its arithmetic and its
/// binary form from that list. Each set here is filled through its list with a value of its own in every field, so
/// a field the list leaves out, pairs with another field's counterpart or writes in another place shows.
/// </summary>
public class CounterSetTests
{
    public static TheoryData<string> Sets => [.. Checks.Keys];

    /// <summary>Each counter set, from a seed whose every count is present (the list fills in the values).</summary>
    private static readonly Dictionary<string, Action> Checks = new()
    {
        ["ResourceUsage.Sample"] = () => AssertArithmeticCoversEveryField(default(ResourceUsage.Sample)),
        ["CopiedBytes"] = () => AssertArithmeticCoversEveryField(default(CopiedBytes)),
        ["EchoCounts"] = () => AssertArithmeticCoversEveryField(default(EchoCounts)),
        ["ChildReport"] = () => AssertArithmeticCoversEveryField(default(ChildReport)),
        ["ThreadContextSwitches.Counts"] = () => AssertArithmeticCoversEveryField(default(ThreadContextSwitches.Counts)),
        ["ProcessCounters"] = () => AssertArithmeticCoversEveryField(new ProcessCounters(0, 0, 0, 0, 0, 0, new CopiedBytes(), 0)),
        ["SystemCounters"] = () => AssertArithmeticCoversEveryField(new SystemCounters(0, 0, 0)),
        ["HostSystemCounters"] = () => AssertArithmeticCoversEveryField(new HostSystemCounters(0, 0, 0, 0, 0, 0, 0)),
        ["IntegrityCounts"] = () => AssertArithmeticCoversEveryField(new IntegrityCounts(0, 0, 0)),
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void Add_subtract_and_min_cover_every_field(string set) => Checks[set]();

    [Fact]
    public void A_child_report_with_every_field_distinct_survives_write_and_read()
    {
        // Wide and negative values too: a count written in 32 bits, or in another field's place, reads back different.
        var report = Filled(default(ChildReport), i => (i % 2 == 0 ? 1 : -1) * ((i + 1) * 0x0101_0101_0101L));
        Assert.Equal(Leaves(report).Count * sizeof(long), ChildReport.Size);

        var wire = new byte[ChildReport.Size];
        report.Write(wire);
        Assert.Equal(report, ChildReport.Read(wire));
    }

    [Fact]
    public void Echo_counts_print_their_fields()
    {
        // A record prints every property: one that is an EchoCounts itself would print without end, and a failing
        // assertion on echo counts would take the test host down with a stack overflow instead of showing them.
        Assert.Contains("SendCalls = 4", new EchoCounts(1, 2, 3, 4, new CopiedBytes(5, 6, 7)).ToString());
    }

    [Fact]
    public void A_count_only_one_process_has_is_no_count_for_both()
    {
        var a = new ProcessCounters(1, 2, 3, 4, 5, 6, new CopiedBytes(7, 8, 9), Syscalls: 10);
        var b = a with { Copied = null, Syscalls = null };

        var both = a + b;
        Assert.Equal(new ProcessCounters(2, 4, 6, 8, 10, 12), both);
        Assert.Null((b - a).Syscalls);
    }

    [Fact]
    public void Remote_system_per_char_names_each_count_as_results_json_does()
    {
        var measured = new HostSystemCounters(100, 200, 300, 400, NicInterrupts: null, RxPackets: 600, TxPackets: 700);

        var remote = RemoteSystem.From(measured, oneReading: null, "eth0", chars: 1000);

        Assert.Equal(new Dictionary<string, double?>
        {
            ["contextSwitches"] = 0.1,
            ["interrupts"] = 0.2,
            ["netRxSoftirqs"] = 0.3,
            ["netTxSoftirqs"] = 0.4,
            ["nicInterrupts"] = null,
            ["rxPackets"] = 0.6,
            ["txPackets"] = 0.7,
        }, remote.PerChar);
        // Every count of the object has its figure per character, under the same name.
        using var json = JsonDocument.Parse(ResultsJson.Serialize(remote));
        var counts = json.RootElement.EnumerateObject().Select(p => p.Name).Except(["interface", "perChar", "oneReading"]);
        Assert.Equal(counts.Order(), remote.PerChar.Keys.Order());
        Assert.All(RemoteSystem.From(measured, null, null, chars: 0).PerChar.Values, perChar => Assert.Null(perChar));
    }

    private static void AssertArithmeticCoversEveryField<T>(T seed) where T : ICounterSet<T>
    {
        var a = Filled(seed, i => 10 * (i + 1));
        var b = Filled(seed, i => 1000 * (i + 1));
        var leaves = Leaves(a);
        // The list fills every field its constructor takes, each with a value of its own.
        Assert.Equal(leaves.Count, Values(a).Count);
        Assert.Equal(leaves.Count, leaves.Select(l => l.Value).Distinct().Count());
        Assert.DoesNotContain(leaves, l => l.Value is null or 0);

        Assert.Equal(a, CounterSet.Subtract(CounterSet.Add(a, b), b));
        Assert.Equal(Values(a).Zip(Values(b), (x, y) => x + y), Values(CounterSet.Add(a, b)));
        Assert.Equal(Values(a).Zip(Values(b), (x, y) => x - y), Values(CounterSet.Subtract(a, b)));

        // Odd fields lower in one set, even ones in the other: the min of each is taken field by field.
        var c = Filled(seed, i => i % 2 == 0 ? 10 * (i + 1) : -10 * (i + 1));
        var d = Filled(seed, i => i % 2 == 0 ? -10 * (i + 1) + 1 : 10 * (i + 1) + 1);
        Assert.Equal(Values(c).Zip(Values(d), (x, y) => x <= y ? x : y), Values(CounterSet.Min(c, d)));
        Assert.Equal(CounterSet.Min(c, d), CounterSet.Min(d, c));
    }

    /// <summary>The set with field i of its list set to <paramref name="value"/>(i).</summary>
    private static T Filled<T>(T seed, Func<int, long> value) where T : ICounterSet<T>
    {
        var numbering = new Numbering(value);
        return T.Combine(seed, seed, ref numbering);
    }

    /// <summary>The set's counts in the order of its list.</summary>
    private static List<long?> Values<T>(T set) where T : ICounterSet<T>
    {
        var values = new Recording();
        T.Combine(set, set, ref values);
        return values.Values;
    }

    /// <summary>
    /// Every count the set's constructor takes, found by reflection rather than through the set's own list: the
    /// record's primary constructor, into the nested sets.
    /// </summary>
    private static List<(string Name, long? Value)> Leaves(object set, string prefix = "")
    {
        var type = set.GetType();
        var constructor = type.GetConstructors().Where(c => c.GetParameters().All(p => p.ParameterType != type)).MaxBy(c => c.GetParameters().Length)!;
        var leaves = new List<(string, long?)>();
        foreach (var parameter in constructor.GetParameters())
        {
            var value = type.GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance)!.GetValue(set);
            string name = prefix + parameter.Name;
            if (value is long or null)
            {
                leaves.Add((name, (long?)value));
            }
            else
            {
                leaves.AddRange(Leaves(value, name + "."));
            }
        }
        return leaves;
    }

    private struct Numbering(Func<int, long> value) : ICounterOp
    {
        private int _field;

        public long Count(long a, long b, string field) => value(_field++);

        public long? Count(long? a, long? b, string field) => value(_field++);
    }

    private readonly struct Recording() : ICounterOp
    {
        public List<long?> Values { get; } = [];

        public long Count(long a, long b, string field)
        {
            Values.Add(a);
            return a;
        }

        public long? Count(long? a, long? b, string field)
        {
            Values.Add(a);
            return a;
        }
    }
}
