using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

public sealed class DedupConcurrencyTests
{
    private static readonly long T0 = DateTimeOffset.Parse("2026-01-05T00:00:00Z").ToUnixTimeMilliseconds();

    [Fact]
    public async Task LookupsDuringAddsFlushesAndMergesSeeEveryKeyAddedBeforeThem()
    {
        using var directory = new TemporaryDirectory();
        using var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, DiskDedupIndexTests.Small());
        const int total = 20_000;
        var keys = Enumerable.Range(0, total).Select(DedupTestKeys.Key).ToArray();
        var absent = Enumerable.Range(0, 1_000).Select(DedupTestKeys.Absent).ToArray();
        var published = 0; // keys [0, published) are added
        var done = false;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        long lookups = 0;

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!Volatile.Read(ref done))
            {
                var upTo = Volatile.Read(ref published);
                if (upTo > 0)
                {
                    var i = random.Next(upTo);
                    if (!index.TryGet(keys[i], out var id) || id != DedupTestKeys.Id((ulong)i + 1)) failures.Enqueue($"key {i} of {upTo}");
                }
                if (index.TryGet(absent[random.Next(absent.Length)], out _)) failures.Enqueue("an absent key was found");
                Interlocked.Increment(ref lookups);
            }
        })).ToArray();

        var persists = new List<Task>();
        var watermark = -1L;
        for (var i = 0; i < total; i++)
        {
            index.Add(keys[i], DedupTestKeys.Id((ulong)i + 1), T0 + i);
            Volatile.Write(ref published, i + 1);
            if (i % 997 != 996) continue;
            persists.Add(index.PersistAsync(i));
            watermark = i;
        }
        await Task.WhenAll(persists);
        await DiskDedupIndexTests.WaitUntil(() => Interlocked.Read(ref lookups) > 50_000, "readers made lookups");
        Volatile.Write(ref done, true);
        await Task.WhenAll(readers);

        Assert.Empty(failures);
        var stats = index.Stats();
        Assert.True(stats.Flushes >= 20 && stats.Merges > 0, stats.ToString());
        Assert.Equal(watermark, index.Watermark);
    }
}
