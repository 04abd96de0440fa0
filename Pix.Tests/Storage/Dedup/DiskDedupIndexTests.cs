using Pix.Storage.Embedded.Dedup;

namespace Pix.Tests.Storage.Dedup;

public sealed class DiskDedupIndexTests
{
    private static readonly long T0 = DateTimeOffset.Parse("2026-01-05T00:00:00Z").ToUnixTimeMilliseconds();

    // About 700 keys per table, so a few thousand keys make flushes, runs and merges.
    internal static DedupIndexOptions Small(TimeSpan? window = null) =>
        new() { CacheBytes = 4 * 48 * 1000, Window = window ?? TimeSpan.FromHours(24), MergeFanout = 2 };

    [Fact]
    public async Task PresentKeysAreFoundWithTheirIdsAndAbsentOnesAreNot()
    {
        using var directory = new TemporaryDirectory();
        using var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, Small());
        for (var i = 0; i < 10_000; i++)
        {
            index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0 + i);
            if (i % 1_500 == 1_499) await index.PersistAsync(i);
        }
        var stats = index.Stats();
        Assert.True(stats.Runs >= 2, $"{stats.Runs} runs");
        Assert.True(stats.Merges > 0, "no merge happened");
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(index.TryGet(DedupTestKeys.Key(i), out var id), $"key {i}");
            Assert.Equal(DedupTestKeys.Id((ulong)i + 1), id);
            Assert.False(index.TryGet(DedupTestKeys.Absent(i), out _), $"absent {i}");
        }
    }

    [Fact]
    public void AKeyAddedTwiceKeepsItsFirstId()
    {
        using var directory = new TemporaryDirectory();
        using var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, Small());
        index.Add(DedupTestKeys.Key(1), DedupTestKeys.Id(10), T0);
        index.Add(DedupTestKeys.Key(1), DedupTestKeys.Id(11), T0 + 1);
        Assert.True(index.TryGet(DedupTestKeys.Key(1), out var id));
        Assert.Equal(DedupTestKeys.Id(10), id);
    }

    [Fact]
    public async Task KeysExpireAtTheWindowAndTheirRunsAreDeleted()
    {
        using var directory = new TemporaryDirectory();
        var window = TimeSpan.FromHours(1);
        using var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, Small(window));
        for (var i = 0; i < 3_000; i++) index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0);
        await index.PersistAsync(1);
        var filesBefore = RunFiles(directory.Path);
        Assert.NotEmpty(filesBefore);

        // Exactly at the window's edge a key is still inside it.
        var late = DedupTestKeys.Key(100_000);
        index.Add(late, DedupTestKeys.Id(100_000), T0 + (long)window.TotalMilliseconds);
        Assert.True(index.TryGet(DedupTestKeys.Key(5), out _));

        // One millisecond later the first keys are gone, from tables and runs alike.
        index.Add(DedupTestKeys.Key(100_001), DedupTestKeys.Id(100_001), T0 + (long)window.TotalMilliseconds + 1);
        for (var i = 0; i < 3_000; i++) Assert.False(index.TryGet(DedupTestKeys.Key(i), out _), $"key {i}");
        Assert.True(index.TryGet(late, out var id));
        Assert.Equal(DedupTestKeys.Id(100_000), id);

        // A key added again after it expired is remembered anew, with its new id.
        index.Add(DedupTestKeys.Key(7), DedupTestKeys.Id(200_000), T0 + (long)window.TotalMilliseconds + 2);
        Assert.True(index.TryGet(DedupTestKeys.Key(7), out id));
        Assert.Equal(DedupTestKeys.Id(200_000), id);

        await index.PersistAsync(2);
        // Deleted whole by expiry, or emptied by a merge that drops expired keys: either way only live keys are left.
        await WaitUntil(() => filesBefore.All(f => !File.Exists(f)), "expired runs deleted");
        Assert.True(index.Stats().RunEntries <= 3, index.Stats().ToString());
        Assert.True(index.TryGet(late, out _));
        Assert.True(index.TryGet(DedupTestKeys.Key(7), out _));
    }

    [Fact]
    public async Task PersistThenReopenStartsAtTheWatermarkWithEveryPersistedKey()
    {
        using var directory = new TemporaryDirectory();
        var options = new DedupIndexOptions { CacheBytes = 64L * 1024 * 1024 };
        using (var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, options))
        {
            Assert.Equal(DedupManifest.NoWatermark, index.Watermark);
            for (var i = 0; i < 5_000; i++) index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0 + i);
            await index.PersistAsync(4_999);
            Assert.Equal(4_999, index.Watermark);
            // Added after the last persist: the log after the watermark holds these, and replay adds them again.
            for (var i = 5_000; i < 6_000; i++) index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0 + i);
        }
        using (var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, options))
        {
            Assert.Equal(4_999, index.Watermark);
            for (var i = 0; i < 5_000; i++)
            {
                Assert.True(index.TryGet(DedupTestKeys.Key(i), out var id), $"key {i}");
                Assert.Equal(DedupTestKeys.Id((ulong)i + 1), id);
            }
            Assert.False(index.TryGet(DedupTestKeys.Key(5_500), out _));
            for (var i = 5_000; i < 6_000; i++) index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0 + i);
            Assert.True(index.TryGet(DedupTestKeys.Key(5_500), out _));
        }
    }

    [Fact]
    public async Task AnIndexOfAnotherStoreInstanceDoesNotOpen()
    {
        using var directory = new TemporaryDirectory();
        using (var index = DiskDedupIndex.Open(directory.Path, DedupTestKeys.Instance, Small()))
        {
            index.Add(DedupTestKeys.Key(1), DedupTestKeys.Id(1), T0);
            await index.PersistAsync(1);
        }
        var other = DedupTestKeys.Instance.ToArray();
        other[0] ^= 1;
        var error = Assert.Throws<InvalidDataException>(() => DiskDedupIndex.Open(directory.Path, other, Small()));
        Assert.Contains("another store instance", error.Message);
    }

    [Fact]
    public async Task ADamagedBlockIsReportedWithItsFileAndOffsetNeverAnsweredAsAbsent()
    {
        var files = new PowerCutFiles();
        using var index = DiskDedupIndex.Open(files, DedupTestKeys.InstanceId, Small());
        for (var i = 0; i < 100; i++) index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0);
        await index.PersistAsync(1);
        var run = Assert.Single(files.List(), IsRun);
        files.FlipBit(run, 100);
        var damaged = 0;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                Assert.True(index.TryGet(DedupTestKeys.Key(i), out _));
            }
            catch (InvalidDataException error)
            {
                Assert.Contains(run, error.Message);
                Assert.Contains("offset 0", error.Message);
                damaged++;
            }
        }
        Assert.True(damaged > 0, "no lookup read the damaged block");
    }

    [Fact]
    public async Task ADamagedFilterStopsTheOpenNamingTheFile()
    {
        var files = new PowerCutFiles();
        using (var index = DiskDedupIndex.Open(files, DedupTestKeys.InstanceId, Small()))
        {
            for (var i = 0; i < 100; i++) index.Add(DedupTestKeys.Key(i), DedupTestKeys.Id((ulong)i + 1), T0);
            await index.PersistAsync(1);
        }
        var run = Assert.Single(files.List(), IsRun);
        files.FlipBit(run, 2 * DedupRunFormat.BlockBytes + 8 + 3);
        var error = Assert.Throws<InvalidDataException>(() => DiskDedupIndex.Open(files, DedupTestKeys.InstanceId, Small()));
        Assert.Contains(run, error.Message);
    }

    internal static bool IsRun(string name) => DedupRunFormat.TryParseFileName(name, out _);

    private static string[] RunFiles(string directory) =>
        Directory.GetFiles(directory).Where(f => IsRun(Path.GetFileName(f))).ToArray();

    internal static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Timed out waiting until " + what);
            await Task.Delay(10);
        }
    }
}
