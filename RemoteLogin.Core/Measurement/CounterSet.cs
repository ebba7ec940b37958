using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace RemoteLogin.Measurement;

/// <summary>
/// A set of counters that lists its fields once, in <see cref="Combine"/>: its arithmetic (+, −, min), its binary
/// form and its per-character figures all go through that one list (<see cref="CounterSet"/>), so a field added
/// there is added, subtracted, written and read everywhere, and a field left out of it is caught by the tests that
/// give every field a value of its own.
/// </summary>
public interface ICounterSet<TSelf> where TSelf : ICounterSet<TSelf>
{
    /// <summary>
    /// A new set whose every field is <paramref name="op"/> of that field of <paramref name="a"/> and of
    /// <paramref name="b"/>, field after field in one fixed order (a constructor's arguments run left to right):
    /// <c>op.Count(a.Field, b.Field)</c> for a count, <see cref="CounterSet.Combine{T, TOp}(T, T, ref TOp)"/> for a
    /// nested set.
    /// </summary>
    static abstract TSelf Combine<TOp>(TSelf a, TSelf b, ref TOp op) where TOp : ICounterOp, allows ref struct;
}

/// <summary>What <see cref="ICounterSet{TSelf}.Combine"/> does to each field; the name is the field's, as written in the list.</summary>
public interface ICounterOp
{
    long Count(long a, long b, [CallerArgumentExpression(nameof(a))] string field = "");

    /// <summary>A count that may be missing (null): one no reading could make, such as perf's where perf could not count.</summary>
    long? Count(long? a, long? b, [CallerArgumentExpression(nameof(a))] string field = "");
}

/// <summary>Everything a counter set gets from its one list of fields.</summary>
public static class CounterSet
{
    public static T Add<T>(T a, T b) where T : ICounterSet<T> => Arithmetic<AddCounts>.Of(a, b);

    public static T Subtract<T>(T a, T b) where T : ICounterSet<T> => Arithmetic<SubtractCounts>.Of(a, b);

    /// <summary>The lower of each field: for instance, whether one reading can be an earlier one of the same counts (<c>Min(earlier, later) == earlier</c>).</summary>
    public static T Min<T>(T a, T b) where T : ICounterSet<T> => Arithmetic<MinCounts>.Of(a, b);

    /// <summary>A set nested in another, combined field by field in the same pass.</summary>
    public static T Combine<T, TOp>(T a, T b, ref TOp op) where T : ICounterSet<T> where TOp : ICounterOp, allows ref struct =>
        T.Combine(a, b, ref op);

    /// <summary>
    /// A nested set that may be missing: missing in either, missing in the result, as C#'s lifted operators have it.
    /// A set holding one has no binary form.
    /// </summary>
    public static T? Combine<T, TOp>(T? a, T? b, ref TOp op) where T : struct, ICounterSet<T> where TOp : ICounterOp, allows ref struct =>
        a is { } x && b is { } y ? T.Combine(x, y, ref op) : null;

    /// <summary>Each field over <paramref name="chars"/>, rounded to 4 places, by the field's name in results.json; null for a count that is missing, or no characters.</summary>
    public static Dictionary<string, double?> PerChar<T>(T set, long chars) where T : ICounterSet<T>
    {
        var perChar = new PerCharCounts(chars);
        T.Combine(set, set, ref perChar);
        return perChar.Figures;
    }

    /// <summary>The set's binary form: each count a little-endian 64-bit integer, in the order of its list.</summary>
    public static int BinarySize<T>() where T : struct, ICounterSet<T> => Layout<T>.Size;

    public static void Write<T>(T set, Span<byte> destination) where T : struct, ICounterSet<T>
    {
        var writer = new BinaryWriter(destination[..Layout<T>.Size]);
        T.Combine(set, set, ref writer);
    }

    public static T Read<T>(ReadOnlySpan<byte> source) where T : struct, ICounterSet<T>
    {
        var reader = new BinaryReader(source[..Layout<T>.Size]);
        return T.Combine(default, default, ref reader);
    }

    private static class Layout<T> where T : struct, ICounterSet<T>
    {
        public static readonly int Size = CountFields() * sizeof(long);

        private static int CountFields()
        {
            var counter = new FieldCounter();
            T.Combine(default, default, ref counter);
            return counter.Fields;
        }
    }

    private interface IFieldMath
    {
        static abstract long Of(long a, long b);
    }

    private readonly struct AddCounts : IFieldMath
    {
        public static long Of(long a, long b) => a + b;
    }

    private readonly struct SubtractCounts : IFieldMath
    {
        public static long Of(long a, long b) => a - b;
    }

    private readonly struct MinCounts : IFieldMath
    {
        public static long Of(long a, long b) => Math.Min(a, b);
    }

    /// <summary>One operation on each field; a count missing on either side is missing in the result.</summary>
    private readonly struct Arithmetic<TMath> : ICounterOp where TMath : IFieldMath
    {
        public static T Of<T>(T a, T b) where T : ICounterSet<T>
        {
            var op = default(Arithmetic<TMath>);
            return T.Combine(a, b, ref op);
        }

        public long Count(long a, long b, string field) => TMath.Of(a, b);

        public long? Count(long? a, long? b, string field) => a is { } x && b is { } y ? TMath.Of(x, y) : null;
    }

    private ref struct BinaryWriter(Span<byte> destination) : ICounterOp
    {
        private readonly Span<byte> _destination = destination;
        private int _at;

        public long Count(long a, long b, string field)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_destination[_at..], a);
            _at += sizeof(long);
            return a;
        }

        public readonly long? Count(long? a, long? b, string field) => throw NoBinaryForm(field);
    }

    private ref struct BinaryReader(ReadOnlySpan<byte> source) : ICounterOp
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private int _at;

        public long Count(long a, long b, string field)
        {
            long value = BinaryPrimitives.ReadInt64LittleEndian(_source[_at..]);
            _at += sizeof(long);
            return value;
        }

        public readonly long? Count(long? a, long? b, string field) => throw NoBinaryForm(field);
    }

    private struct FieldCounter : ICounterOp
    {
        public int Fields;

        public long Count(long a, long b, string field)
        {
            Fields++;
            return a;
        }

        public readonly long? Count(long? a, long? b, string field) => throw NoBinaryForm(field);
    }

    private readonly struct PerCharCounts(long chars) : ICounterOp
    {
        public Dictionary<string, double?> Figures { get; } = [];

        public long Count(long a, long b, string field) => Count((long?)a, b, field) ?? a;

        public long? Count(long? a, long? b, string field)
        {
            Figures[JsonName(field)] = a is { } count && chars > 0 ? Math.Round((double)count / chars, 4) : null;
            return a;
        }
    }

    private static NotSupportedException NoBinaryForm(string field) =>
        new($"{field} is a count that may be missing: a set holding one has no binary form");

    /// <summary>"a.NetRxSoftirqs", as the list says it, is "netRxSoftirqs" in results.json.</summary>
    private static string JsonName(string field) =>
        Results.ResultsJson.Options.PropertyNamingPolicy!.ConvertName(field[(field.LastIndexOf('.') + 1)..]);
}
