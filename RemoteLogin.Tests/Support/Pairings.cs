using RemoteLogin.Vocabulary;

namespace RemoteLogin.Tests.Support;

/// <summary>Theory data for the end-to-end tests that must hold under every subdaemon model and echo strategy.</summary>
internal static class Pairings
{
    public static TheoryData<SubdaemonModel, BufferStrategy> EveryModelAndStrategy()
    {
        var data = new TheoryData<SubdaemonModel, BufferStrategy>();
        foreach (var (model, strategy) in Pairs())
        {
            data.Add(model, strategy);
        }
        return data;
    }

    /// <summary>Every model and strategy with every value of a third axis (a protocol, a scenario), or with <paramref name="values"/> of it.</summary>
    public static TheoryData<SubdaemonModel, BufferStrategy, T> EveryModelAndStrategyWith<T>(IEnumerable<T>? values = null) where T : struct, Enum
    {
        var data = new TheoryData<SubdaemonModel, BufferStrategy, T>();
        var axis = (values ?? Enum.GetValues<T>()).ToArray();
        foreach (var (model, strategy) in Pairs())
        {
            foreach (var value in axis)
            {
                data.Add(model, strategy, value);
            }
        }
        return data;
    }

    private static IEnumerable<(SubdaemonModel, BufferStrategy)> Pairs() =>
        from model in Enum.GetValues<SubdaemonModel>()
        from strategy in Enum.GetValues<BufferStrategy>()
        select (model, strategy);
}
