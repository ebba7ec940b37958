using BenchmarkDotNet.Configs;

namespace RemoteLogin.Bench.Micro;

/// <summary>Adds <see cref="ContextSwitchDiagnoser"/> to a benchmark class, as [MemoryDiagnoser] adds its own.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class ContextSwitchDiagnoserAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddDiagnoser(ContextSwitchDiagnoser.Default);
}
