using System.Text;
using Pix.Server.Http;
using Pix.Tests.Support;

namespace Pix.Tests.Http;

/// <summary>The Date header's once-a-second refresh: the right value, and no allocation (it ran on a timer thread
/// and allocated a string and an array each second, which the allocation gate charged to the embedded ingest row).</summary>
[Collection(Pix.Tests.Allocation.AllocationCollection.Name)]
public sealed class DateHeaderTests
{
    [Fact]
    public void EachTickWritesTheNewDateWithoutAllocating()
    {
        var clock = new FiringClock(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));
        using var header = new DateHeader(clock);
        Span<byte> value = stackalloc byte[DateHeader.Length];
        header.CopyTo(value);
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", Encoding.ASCII.GetString(value));

        for (var i = 0; i < 100; i++) Tick(clock); // warm-up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) Tick(clock);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        header.CopyTo(value);
        Assert.Equal("Sun, 06 Nov 1994 08:52:57 GMT", Encoding.ASCII.GetString(value));
#if !DEBUG
        Assert.True(bytes == 0, $"Allocated {bytes} B over 100 refreshes.");
#else
        _ = bytes;
#endif
    }

    private static void Tick(FiringClock clock)
    {
        clock.Advance(TimeSpan.FromSeconds(1));
        clock.Fire();
    }
}
