using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;

namespace Pix.Tests.Storage;

/// <summary>The embedded store's dedup window lives in the disk-backed index (<c>{DataDir}/dedup/</c>), durable up to
/// its watermark: checkpoints carry no keys, and recovery rebuilds whatever the index lacks from the log.</summary>
public sealed class EmbeddedStoreDedupTests : IDisposable
{
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private EmbeddedQueueStore OpenStore(string dataDir, long checkpointBytes = 64L << 20) =>
        new(new EmbeddedStoreOptions
        {
            DataDir = dataDir,
            Logger = new RecordingLogger(),
            CheckpointBytes = checkpointBytes,
            // Tables of a few hundred keys: the index writes runs and merges them within these tests.
            DedupCacheBytes = 64 * 1024,
        });

    [Fact]
    public async Task CheckpointsHoldNoDedupKeysHoweverManyAreInTheWindow()
    {
        var few = Path.Combine(_directory.Path, "few");
        var many = Path.Combine(_directory.Path, "many");
        List<ResourceId> originals;
        await using (var store = OpenStore(few)) await AppendAndAcknowledge(store, 1, "f");
        await using (var store = OpenStore(many)) originals = await AppendAndAcknowledge(store, 300, "m");

        // 3,000 keys in the window, every message acknowledged: the state is the same size as with 10 (a key in the
        // checkpoint took 56 bytes: 168 KB here).
        var fewBytes = NewestCheckpointLength(few);
        var manyBytes = NewestCheckpointLength(many);
        Assert.True(Math.Abs(manyBytes - fewBytes) < 512, $"checkpoint of 10 keys {fewBytes} B, of 3,000 keys {manyBytes} B");
        Assert.True(File.Exists(Path.Combine(many, "dedup", "manifest")));

        await using (var store = OpenStore(many))
        {
            // Every key answers from the index on disk after the restart, the oldest and the newest alike.
            var again = new AppendBatch();
            for (var i = 0; i < 3000; i += 7) again.Add(Message("m", i));
            await store.AppendAsync(again);
            Assert.All(again.Outcomes, o => Assert.True(o.Duplicate));
            Assert.Equal(Enumerable.Range(0, 3000).Where(i => i % 7 == 0).Select(i => originals[i]), again.Outcomes.Select(o => o.Id));
        }
    }

    [Fact]
    public async Task KeysAfterTheIndexsWatermarkAreReplayedFromTheLogEvenWhenTheCheckpointIsNewer()
    {
        var dataDir = Path.Combine(_directory.Path, "store");
        var dedup = Path.Combine(dataDir, "dedup");
        var older = Path.Combine(_directory.Path, "dedup-at-first-checkpoint");
        List<ResourceId> first, second;
        // A checkpoint after every group, each asking the index to persist up to it.
        await using (var store = OpenStore(dataDir, checkpointBytes: 1))
        {
            first = await AppendOnly(store, 400, "a");
            store.WaitForWriterIdle();
            // What a crash would leave if the index's later persists never completed while the checkpoints did.
            CopyDirectory(dedup, older);
            second = await AppendOnly(store, 400, "b");
            store.WaitForWriterIdle();
        }
        Directory.Delete(dedup, recursive: true);
        CopyDirectory(older, dedup);

        await using (var store = OpenStore(dataDir))
        {
            // The state replay starts after the newest checkpoint, past every "b" message: only the replay from the
            // index's watermark knows them.
            await AssertDuplicates(store, "b", second);
            await AssertDuplicates(store, "a", first);
        }
    }

    [Fact]
    public async Task ALostDedupIndexIsRebuiltFromTheWholeLog()
    {
        var dataDir = Path.Combine(_directory.Path, "store");
        List<ResourceId> ids;
        await using (var store = OpenStore(dataDir)) ids = await AppendOnly(store, 500, "c");
        Directory.Delete(Path.Combine(dataDir, "dedup"), recursive: true);

        await using (var store = OpenStore(dataDir)) await AssertDuplicates(store, "c", ids);
    }

    private static async Task AssertDuplicates(IQueueStore store, string prefix, List<ResourceId> originals)
    {
        var again = new AppendBatch();
        for (var i = 0; i < originals.Count; i++) again.Add(Message(prefix, i));
        await store.AppendAsync(again);
        Assert.All(again.Outcomes, o => Assert.True(o.Duplicate));
        Assert.Equal(originals, again.Outcomes.Select(o => o.Id));
    }

    /// <summary>Appends <paramref name="count"/> messages in batches of 100 (the store's batch limit is higher; this
    /// keeps groups small) and returns their ids.</summary>
    private static async Task<List<ResourceId>> AppendOnly(IQueueStore store, int count, string prefix)
    {
        var ids = new List<ResourceId>();
        for (var from = 0; from < count; from += 100)
        {
            var batch = new AppendBatch();
            for (var i = from; i < Math.Min(count, from + 100); i++) batch.Add(Message(prefix, i));
            Assert.Equal(AppendStatus.Stored, await store.AppendAsync(batch));
            Assert.All(batch.Outcomes, o => Assert.False(o.Duplicate));
            ids.AddRange(batch.Outcomes.Select(o => o.Id));
        }
        return ids;
    }

    /// <summary><paramref name="rounds"/> rounds of 10 messages, each read and acknowledged.</summary>
    private static async Task<List<ResourceId>> AppendAndAcknowledge(IQueueStore store, int rounds, string prefix)
    {
        var cursor = new StoreCursor(store, Receiver);
        await cursor.OpenAsync();
        var read = new MessageBatch();
        var ids = new List<ResourceId>();
        for (var round = 0; round < rounds; round++)
        {
            var batch = new AppendBatch();
            for (var i = 0; i < 10; i++) batch.Add(Message(prefix, round * 10 + i));
            await store.AppendAsync(batch);
            ids.AddRange(batch.Outcomes.Select(o => o.Id));
            await cursor.NextAsync(read);
            Assert.Equal(10, read.Count);
        }
        await cursor.NextAsync(read); // acknowledges the last batch
        Assert.Equal(0, (await store.StatsAsync(Receiver)).Unacknowledged);
        return ids;
    }

    // Half of the ids in the schema's form (decoded keys), half not (hashed keys).
    private static IncomingMessage Message(string prefix, int i)
    {
        var bizMsgIdr = i % 2 == 0 ? $"M{Sender}{prefix}{i:D22}" : $"{prefix}-{i}";
        return new IncomingMessage(Receiver, Sender, Encoding.ASCII.GetBytes(bizMsgIdr), Encoding.UTF8.GetBytes($"<Msg>{prefix}-{i}</Msg>"), Disposition.Deliver);
    }

    private static long NewestCheckpointLength(string dataDir) =>
        Directory.GetFiles(dataDir, "*.ckpt").Select(f => new FileInfo(f)).OrderByDescending(f => f.Name).First().Length;

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
