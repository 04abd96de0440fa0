using System.Text;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Storage.Embedded.Dedup;
using Pix.Tests.Storage.Dedup;
using Xunit.Abstractions;

namespace Pix.Tests.Storage;

/// <summary>
/// Opening a small store, and writing or merging a small dedup run, take memory in proportion to what they hold.
/// Each used to take a 1 MiB buffer sized for production (a segment window, the group buffer, a run writer's and a
/// run cursor's block buffers): large-object-heap arrays that only a gen2 collection gives back, about 41 MB per seed
/// of the storage simulation and over 600 gen2 collections per 200 seeds, which made it crawl inside the full suite.
/// Counted on the calling thread alone (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so tests running
/// alongside do not disturb the figure: recovery runs in the store's constructor, on the caller's thread.
/// </summary>
public sealed class EmbeddedStoreRecoveryAllocationTests(ITestOutputHelper output) : IDisposable
{
    // Far above what these small stores and runs need (tens of KB), far below one production-sized buffer.
    private const long Budget = 1 << 20;
    private const long RunBudget = 256 * 1024;
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private EmbeddedQueueStore OpenStore() =>
        new(new EmbeddedStoreOptions
        {
            DataDir = _directory.Path,
            Logger = new RecordingLogger(),
            // Tables of about 60 keys, as in the simulation: the index's own memory stays small.
            DedupCacheBytes = 16 * 1024,
        });

    [Fact]
    public async Task ReopeningASmallStoreAllocatesUnderOneMebibyte()
    {
        await using (var store = OpenStore())
        {
            for (var round = 0; round < 5; round++)
            {
                var batch = new AppendBatch();
                for (var i = 0; i < 20; i++) batch.Add(Message(round * 20 + i));
                Assert.Equal(AppendStatus.Stored, await store.AppendAsync(batch));
            }
        }
        // A first reopen warms what is process-wide (types, statics), which is not this store's to account for.
        await using (OpenStore())
        {
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var reopened = OpenStore();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await using (reopened)
        {
            // The recovery read the log: all 100 messages are there.
            Assert.Equal(100, reopened.Unacknowledged(Receiver).Count);
        }
        output.WriteLine($"reopening allocated {allocated:N0} B");
        Assert.True(allocated < Budget, $"reopening a store of 100 small messages allocated {allocated:N0} B");
    }

    [Fact]
    public void WritingAndReadingASmallDedupRunAllocatesLittle()
    {
        var files = new DiskDedupFiles(_directory.Path);
        var entries = Enumerable.Range(0, 10)
            .Select(i => (Entry: new DedupEntry(DedupTestKeys.Key(i), (ulong)i + 1, 1_000 + i), Hash: DedupTestKeys.Key(i).Hash()))
            .OrderBy(e => e.Hash)
            .ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        DedupRun run;
        using (var writer = new DedupRunWriter(files, 1, 0, entries.Length, 13))
        {
            foreach (var (entry, hash) in entries) writer.Append(entry, hash);
            run = writer.Finish();
        }
        var written = GC.GetAllocatedBytesForCurrentThread() - before;

        using (run)
        {
            before = GC.GetAllocatedBytesForCurrentThread();
            var cursor = run.OpenCursor();
            var read = 0;
            while (cursor.MoveNext())
            {
                Assert.Equal(entries[read].Hash, cursor.CurrentHash);
                read++;
            }
            var reading = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(entries.Length, read);
            output.WriteLine($"writing a run of 10 allocated {written:N0} B, reading it {reading:N0} B");
            Assert.True(written < RunBudget && reading < RunBudget,
                $"a run of 10 entries: writing it allocated {written:N0} B, reading it {reading:N0} B");
        }
    }

    private static IncomingMessage Message(int i) =>
        new(Receiver, Sender, Encoding.ASCII.GetBytes($"M{Sender}r{i:D22}"), Encoding.UTF8.GetBytes($"<Msg>r-{i}</Msg>"), Disposition.Deliver);
}
