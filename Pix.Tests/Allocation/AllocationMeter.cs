namespace Pix.Tests.Allocation;

/// <summary>
/// Zero-allocation checks (ZeroLog's GcTester idea): warm the call up (the JIT and first-use caches allocate), then
/// count what this thread allocates over more calls. Only synchronous code can be checked this way: the counter
/// sees the current thread alone. Debug builds allocate on their own (async state machines are classes there), so
/// only Release builds assert.
/// </summary>
internal static class AllocationMeter
{
    // Enough calls for tiering and for the sizes that follow the request rate to settle (the dedup index holds about
    // a millisecond of keys with the zero window the harness uses).
    private const int Warmups = 1000;
    private const int Measured = 100;

    public static long BytesPerCall<T>(Func<T> call)
    {
        for (var i = 0; i < Warmups; i++) call();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Measured; i++) call();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Measured;
    }

    public static void AssertNone<T>(Func<T> call)
    {
        var bytes = BytesPerCall(call);
#if DEBUG
        _ = bytes;
#else
        Assert.True(bytes == 0, $"Allocated {bytes} B per call; the hot path must allocate nothing.");
#endif
    }
}
