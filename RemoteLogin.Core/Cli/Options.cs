using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using RemoteLogin.Vocabulary;

namespace RemoteLogin.Cli;

/// <summary>Option builders whose errors name the option, so every program reports bad input the same way.</summary>
public static class Options
{
    /// <param name="allowed">The values this option takes, when not all of them (a client has no use for mux, say).</param>
    public static Option<T> Vocabulary<T>(string name, T defaultValue, string description, IReadOnlyList<T>? allowed = null) where T : struct, Enum => new(name)
    {
        Description = $"{description} ({string.Join("|", Names(allowed))}, default {defaultValue.Name()})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseOne(name, result.Tokens.Single().Value, result, allowed),
    };

    /// <summary>One value whose absence means something of its own (say, "as the other end"); null when not given.</summary>
    public static Option<T?> OptionalVocabulary<T>(string name, string description) where T : struct, Enum => new(name)
    {
        Description = $"{description} ({string.Join("|", VocabularyNames.All<T>())})",
        CustomParser = result => ParseOne(name, result.Tokens.Single().Value, result, (IReadOnlyList<T>?)null),
    };

    /// <summary>A comma-separated selection such as "--strategies naive,zerocopy"; <paramref name="defaults"/> (all values) when absent.</summary>
    public static Option<T[]> VocabularyList<T>(string name, string description, T[]? defaults = null, IReadOnlyList<T>? allowed = null) where T : struct, Enum
    {
        var chosen = defaults ?? allowed?.ToArray() ?? Enum.GetValues<T>();
        return new Option<T[]>(name)
        {
            Description = $"{description} (comma-separated from {string.Join(",", Names(allowed))}; default {string.Join(",", chosen.Select(v => v.Name()))})",
            DefaultValueFactory = _ => chosen,
            AllowMultipleArgumentsPerToken = true,
            CustomParser = result =>
            {
                var values = result.Tokens
                    .SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(text => ParseOne(name, text, result, allowed))
                    .Distinct()
                    .ToArray();
                if (values.Length == 0)
                {
                    result.AddError($"{name}: name at least one of {string.Join(", ", Names(allowed))}");
                }
                return values;
            },
        };
    }

    public static Option<long> Count(string name, long defaultValue, string description, long minimum = 1, long maximum = long.MaxValue) => new(name)
    {
        Description = $"{description} (default {defaultValue})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseNumber(name, result, minimum, maximum),
    };

    /// <summary>A count whose default depends on other options; null when not given.</summary>
    public static Option<long?> OptionalCount(string name, string description, long minimum = 1, long maximum = long.MaxValue) => new(name)
    {
        Description = description,
        CustomParser = result => ParseNumber(name, result, minimum, maximum),
    };

    public static Option<double> Positive(string name, double defaultValue, string description) => new(name)
    {
        Description = $"{description} (default {defaultValue.ToString(CultureInfo.InvariantCulture)})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
            {
                return value;
            }
            result.AddError($"{name}: '{text}' is not a positive number");
            return defaultValue;
        },
    };

    /// <summary>A number of milliseconds in 0–<paramref name="maximum"/>, fractions allowed (a delay).</summary>
    public static Option<double> Milliseconds(string name, double defaultValue, string description, double maximum) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0 && ms <= maximum)
            {
                return ms;
            }
            result.AddError($"{name}: '{text}' is not a number of milliseconds in 0-{maximum.ToString(CultureInfo.InvariantCulture)}");
            return defaultValue;
        },
    };

    public static Option<int> Port(string name, int? defaultValue, string description, int minimum = 0)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            CustomParser = result => (int)ParseNumber(name, result, minimum, IPEndPoint.MaxPort),
        };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }
        return option;
    }

    /// <summary>An "ADDRESS:PORT" endpoint; port 0 asks the kernel for an ephemeral port.</summary>
    public static Option<IPEndPoint> Endpoint(string name, string defaultValue, string description) => new(name)
    {
        Description = $"{description} (default {defaultValue}; port 0 binds an ephemeral port)",
        DefaultValueFactory = _ => IPEndPoint.Parse(defaultValue),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            int colon = text.LastIndexOf(':');
            if (colon <= 0 || !IPAddress.TryParse(text[..colon].Trim('[', ']'), out var address))
            {
                result.AddError($"{name}: '{text}' is not ADDRESS:PORT");
                return null;
            }
            var portText = text[(colon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
            {
                result.AddError($"{name}: port '{portText}' is not in 0-{IPEndPoint.MaxPort}");
                return null;
            }
            return new IPEndPoint(address, port);
        },
    };

    private static T ParseOne<T>(string name, string text, ArgumentResult result, IReadOnlyList<T>? allowed = null) where T : struct, Enum
    {
        if (VocabularyNames.TryParse<T>(text, out var value))
        {
            if (allowed is null || allowed.Contains(value))
            {
                return value;
            }
            result.AddError($"{name}: '{text}' is not taken here (expected one of {string.Join(", ", Names(allowed))})");
            return default;
        }
        result.AddError($"{name}: unknown value '{text}' (expected one of {string.Join(", ", Names(allowed))})");
        return default;
    }

    private static IEnumerable<string> Names<T>(IReadOnlyList<T>? allowed) where T : struct, Enum =>
        allowed?.Select(v => v.Name()) ?? VocabularyNames.All<T>();

    private static long ParseNumber(string name, ArgumentResult result, long minimum, long maximum)
    {
        var text = result.Tokens.Single().Value;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }
        result.AddError($"{name}: '{text}' is not a whole number in {minimum}-{maximum}");
        return minimum;
    }
}
