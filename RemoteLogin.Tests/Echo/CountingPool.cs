using System.Buffers;

namespace RemoteLogin.Tests.EchoSteps;

/// <summary>The shared array pool, counting what is rented from it and not yet back.</summary>
internal sealed class CountingPool : ArrayPool<byte>
{
    private long _rented;
    private long _outstanding;

    public long Rented => Interlocked.Read(ref _rented);

    public long Outstanding => Interlocked.Read(ref _outstanding);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        Interlocked.Increment(ref _outstanding);
        return Shared.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Decrement(ref _outstanding);
        Shared.Return(array, clearArray);
    }
}
