using Microsoft.Extensions.Logging.Abstractions;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Server.Streams;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Tests.Allocation;

/// <summary>
/// The stream engine's sweep runs every <c>Pix:Streams:SweepMilliseconds</c> (50 by default) whatever the traffic, and
/// asks the store for idle streams every quarter second. The sweep allocated the enumerator of the waiter lists'
/// ConcurrentDictionary each time (64 B every 50 ms, in the background of every request). The store's round is not
/// checked here: the queue book still enumerates its ConcurrentDictionary (64 B a round; the embedded store's own list,
/// closure and delegate are gone).
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class StreamSweepAllocationTests
{
    [Fact]
    public async Task ASweepAllocatesNothing()
    {
        using var directory = new TempDirectory();
        await using var store = new EmbeddedQueueStore(new EmbeddedStoreOptions { DataDir = Path.Combine(directory.Path, "data") });
        var clock = new Support.FiringClock(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var options = new StreamOptions { LongPollSeconds = 0, IdleTimeoutSeconds = 3600, SweepMilliseconds = 50 };
        await using var engine = new StreamEngine(store, options, NullLogger<StreamEngine>.Instance, clock);
        for (var n = 0; n < 3; n++)
        {
            var (outcome, _) = await engine.StartAsync(new Ispb(50_000_000 + (ulong)n), 10, new MessageBatch(), new LongPollWaiter(), CancellationToken.None);
            Assert.Equal(StreamOutcome.Ok, outcome);
        }
        Assert.Equal(3, engine.WaiterListCount);

        // The first sweep runs the store's idle round; the clock then stands still, so the rest do not.
        for (var i = 0; i < 20; i++) clock.Fire();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) clock.Fire();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(3, engine.WaiterListCount);
#if !DEBUG
        Assert.True(bytes == 0, $"Allocated {bytes} B over 100 sweeps.");
#else
        _ = bytes;
#endif
    }
}
