using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

/// <summary>
/// Power cuts at every step of persisting: the disk double loses whatever was not fsync'd (file contents and
/// directory entries) and keeps any subset of the unsynced sectors. After each cut the index must open, at the
/// watermark of a persist that completed or of the one in flight, with every key that watermark covers.
/// </summary>
public sealed class DedupCrashTests
{
    private static readonly long T0 = DateTimeOffset.Parse("2026-01-05T00:00:00Z").ToUnixTimeMilliseconds();

    [Fact]
    public void ACutAtAnyStepOfAPersistOpensAtACorrectWatermark()
    {
        // Count the mutating operations of one whole scenario, then cut at each of them.
        var steps = Run(dieAfter: int.MaxValue, seed: 0).Operations;
        Assert.True(steps > 40, $"only {steps} operations");
        var sawOld = false;
        var sawNew = false;
        for (var cut = 1; cut <= steps; cut++)
        {
            var outcome = Run(cut, seed: cut);
            sawOld |= outcome.Watermark == 1;
            sawNew |= outcome.Watermark == 2;
        }
        Assert.True(sawOld && sawNew, "the cuts never fell on both sides of the manifest's rename");
    }

    private readonly record struct Outcome(int Operations, long Watermark);

    private const int First = 2_000, Second = 2_000, Late = 100;
    private const long WindowMs = 600_000;

    // Keys [0, First) at T0 + i; then [First, First + Second - Late) at T0 + i; the last Late keys a window later,
    // which pushes keys [0, 300) out of the window.
    private static long AtOf(int i) => i < First + Second - Late ? T0 + i : T0 + WindowMs + 300;

    private static Outcome Run(int dieAfter, int seed)
    {
        var files = new PowerCutFiles();
        var options = DiskDedupIndexTests.Small(TimeSpan.FromMilliseconds(WindowMs));

        // Persisted before anything fails: watermark 1 covers keys [0, First).
        using (var index = DiskDedupIndex.Open(files, DedupTestKeys.InstanceId, options))
        {
            AddRange(index, 0, First);
            index.PersistAsync(1).Wait();
            WaitForQuiet(index);
        }
        var before = files.Operations;

        // Then the second batch, whose persist (flushes, merges, expiry, manifests) is cut somewhere.
        using (var index = DiskDedupIndex.Open(files, DedupTestKeys.InstanceId, options))
        {
            Assert.Equal(1, index.Watermark);
            files.DieAfter(dieAfter);
            try
            {
                AddRange(index, First, First + Second);
                index.PersistAsync(2).Wait();
                WaitForQuiet(index);
            }
            catch (Exception error) when (error is IOException or AggregateException)
            {
                Assert.True(files.IsDead, error.ToString());
            }
        }
        var operations = files.Operations - before;
        files.PowerCut(new Random(seed));

        using (var index = DiskDedupIndex.Open(files, DedupTestKeys.InstanceId, options))
        {
            var watermark = index.Watermark;
            Assert.True(watermark is 1 or 2, $"cut after {dieAfter}: watermark {watermark}");
            // Nothing but the manifest and the runs it names is left behind.
            Assert.All(files.List(), name => Assert.True(name == DedupManifest.FileName || DiskDedupIndexTests.IsRun(name), name));
            // What the store does on open: replay the log after the watermark.
            if (watermark == 1) AddRange(index, First, First + Second);
            for (var i = 0; i < First + Second; i++)
            {
                var found = index.TryGet(Keys[i], out var id);
                if (i < 300)
                {
                    Assert.False(found, $"cut after {dieAfter}: key {i} outlived the window");
                    continue;
                }
                Assert.True(found, $"cut after {dieAfter}: key {i} lost at watermark {watermark}");
                Assert.Equal(DedupTestKeys.Id((ulong)i + 1), id);
            }
            return new Outcome(operations, watermark);
        }
    }

    private static readonly DedupKey[] Keys = Enumerable.Range(0, First + Second).Select(DedupTestKeys.Key).ToArray();

    private static void AddRange(DiskDedupIndex index, int from, int to)
    {
        for (var i = from; i < to; i++) index.Add(Keys[i], DedupTestKeys.Id((ulong)i + 1), AtOf(i));
    }

    private static void WaitForQuiet(DiskDedupIndex index)
    {
        // Let the compactor finish what the persist started, so later cuts fall inside merges and expiry too.
        var last = -1L;
        for (var stable = 0; stable < 3;)
        {
            Thread.Sleep(3);
            var stats = index.Stats();
            var now = stats.Merges * 1_000_000 + stats.ExpiredRuns * 1_000 + stats.Flushes;
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
    }
}
