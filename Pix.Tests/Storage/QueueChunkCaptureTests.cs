using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Queues;

namespace Pix.Tests.Storage;

/// <summary>A queue keeps its entries in chunks of 4,096 and a checkpoint's mark freezes them: a change after the
/// mark copies only the chunk it touches. The capture must still be the queue at the mark, and the live queue must
/// be exactly what it would be without any checkpoint, across chunk boundaries and chunks dropped meanwhile.</summary>
public sealed class QueueChunkCaptureTests
{
    private const int Chunk = 4096;
    private static readonly StreamTimes Times = new(60_000, 60_000);
    private static readonly Ispb Receiver = Ispb.Parse("12345678");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ACaptureIsTheQueueAtTheMarkWhateverHappensAfter(int seed)
    {
        var random = new Random(seed);
        var live = new IspbQueue();
        var reference = new IspbQueue();
        var appended = 0;
        void Both(Action<IspbQueue> change)
        {
            change(live);
            change(reference);
        }
        for (; appended < 3 * Chunk + 100; appended++) Both(q => Append(q, appended));
        for (ulong s = 1; s <= 4; s++) Both(q => Assert.True(q.TryOpen(s, 6, 0, Times)));

        for (var round = 0; round < 6; round++)
        {
            for (var i = 0; i < 1500; i++) RandomChange(random, Both, ref appended, live);
            var atMark = QueueSnapshots.Of(live);
            live.RequestCapture();
            for (var i = 0; i < 1500; i++) RandomChange(random, Both, ref appended, live);
            Assert.Equal(QueueSnapshots.Of(reference), QueueSnapshots.Of(live));
            var image = live.TakeCapture();
            // Taken but not yet written: the checkpoint thread still reads the frozen chunks.
            for (var i = 0; i < 500; i++) RandomChange(random, Both, ref appended, live);
            Assert.Equal(atMark, QueueSnapshots.Of(image));
            live.ReleaseCapture(image);
            Assert.Equal(QueueSnapshots.Of(reference), QueueSnapshots.Of(live));
        }
        Assert.True(live.NextSequence > 5 * Chunk, "the rounds appended across several chunks");
    }

    [Fact]
    public void ClaimsAcknowledgementsAndReleasesAcrossAChunkBoundaryKeepTheMark()
    {
        var queue = new IspbQueue();
        for (var i = 0; i < 2 * Chunk + 10; i++) Append(queue, i);
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        Assert.True(queue.TryOpen(2, 6, 0, Times));
        // Sequences are 1-based, so chunk 0 holds 1..4096: these claims straddle the boundary of chunks 0 and 1.
        queue.RestoreClaim(1, 1, acknowledgePrevious: false, [Chunk - 1, Chunk, Chunk + 1, Chunk + 2]);
        queue.RestoreClaim(2, 1, acknowledgePrevious: false, [2 * Chunk, 2 * Chunk + 1]);
        var atMark = QueueSnapshots.Of(queue);

        queue.RequestCapture();
        Assert.True(queue.Close(1, acknowledge: true));
        Assert.True(queue.Close(2, acknowledge: false));
        Assert.True(queue.TryMove(IdOf(2 * Chunk - 1), 42));
        Append(queue, 2 * Chunk + 10);
        var image = queue.TakeCapture();

        Assert.Equal(atMark, QueueSnapshots.Of(image));
        var after = new List<StoredMessage>();
        queue.CopyUnacknowledged(after);
        Assert.DoesNotContain(after, m => m.Sequence is Chunk - 1 or Chunk or Chunk + 1 or Chunk + 2);
        Assert.Contains(after, m => m.Sequence == 2 * Chunk);
        Assert.Equal(2 * Chunk + 11 - 4, after.Count);
        Assert.Equal(42, after.Single(m => m.Sequence == 2 * Chunk).Position);
    }

    [Fact]
    public void TheFirstChangeAfterAMarkCopiesOneChunkNotTheQueue()
    {
        var queue = new IspbQueue();
        for (var i = 0; i < 200_000; i++) Append(queue, i);
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        queue.RequestCapture();

        var copied = Allocated(() => Assert.True(queue.TryMove(IdOf(100_000), 7)));
        // One chunk is 4,096 entries of 29 bytes (about 119 KB); the whole queue would be 5.8 MB.
        Assert.InRange(copied, 1, 256 * 1024);
        Assert.InRange(Allocated(() => Assert.True(queue.TryMove(IdOf(100_001), 8))), 0, 0);
        var image = queue.TakeCapture();
        queue.ReleaseCapture(image);
        // Written: the chunks are the queue's own again, a change copies nothing.
        Assert.InRange(Allocated(() => Assert.True(queue.TryMove(IdOf(5), 9))), 0, 0);
    }

    [Fact]
    public void ASnapshotReadsBackAcrossChunksFromAnUnalignedStart()
    {
        var queue = new IspbQueue();
        for (var i = 0; i < 3 * Chunk + 7; i++) Append(queue, i);
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        var into = new StoredMessage[MessageBatch.Capacity];
        var acknowledged = new StoredMessage[MessageBatch.Capacity];
        // Acknowledge 1,503 batches: the queue drops its first chunk and starts mid-chunk.
        for (uint batch = 0; batch < 1503; batch++)
        {
            queue.Read(new ReadRequest(Receiver, 1, batch, ReadMode.Advance, MessageBatch.Capacity, 0, Times), 0, into, out _, acknowledged, out _);
        }
        var bytes = QueueSnapshots.Of(queue);
        var restored = IspbQueue.ReadCompact(bytes);

        Assert.Equal(bytes, QueueSnapshots.Of(restored));
        Assert.Equal(queue.Unacknowledged, restored.Unacknowledged);
        Append(restored, 3 * Chunk + 7);
        Append(queue, 3 * Chunk + 7);
        Assert.Equal(QueueSnapshots.Of(queue), QueueSnapshots.Of(restored));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(7)]
    public void AQueueReadAsFastAsItIsWrittenAllocatesNothingPerMessage(int perRead)
    {
        var queue = new IspbQueue();
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        var into = new StoredMessage[MessageBatch.Capacity];
        var acknowledged = new StoredMessage[MessageBatch.Capacity];
        uint batch = 0;
        var appended = 0;
        void Rounds(int rounds)
        {
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < perRead; i++) Append(queue, appended++);
                // Reads the batch and acknowledges the one before it, as a stream's GET does.
                batch = queue.Read(new ReadRequest(Receiver, 1, batch, ReadMode.Advance, MessageBatch.Capacity, 0, Times), 0, into, out _, acknowledged, out _).Batch;
            }
        }
        Rounds(100);
        Assert.Equal(0, Allocated(() => Rounds(2_000)));
        Assert.True(queue.Unacknowledged <= perRead);
    }

    [Fact]
    public void AShortQueueStaysSmallHoweverLongItRuns()
    {
        var queue = new IspbQueue();
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        var into = new StoredMessage[MessageBatch.Capacity];
        var acknowledged = new StoredMessage[MessageBatch.Capacity];
        uint batch = 0;
        for (var i = 0; i < 100_000; i++)
        {
            Append(queue, i);
            if (i % 10 != 9) continue;
            var result = queue.Read(new ReadRequest(Receiver, 1, batch, ReadMode.Advance, MessageBatch.Capacity, 0, Times), 0, into, out _, acknowledged, out _);
            batch = result.Batch;
        }
        Assert.True(queue.Unacknowledged <= 10);
        // A full chunk would be 4,096 x 29 bytes; a short queue keeps a small one.
        Assert.InRange(queue.EntryBytes, 1, 128 * 29);
    }

    private static void RandomChange(Random random, Action<Action<IspbQueue>> both, ref int appended, IspbQueue live)
    {
        var pick = random.Next(100);
        var stream = (ulong)random.Next(1, 5);
        if (pick < 45)
        {
            var n = appended++;
            both(q => Append(q, n));
        }
        else if (pick < 80)
        {
            var advance = random.Next(10) < 8;
            var max = random.Next(1, MessageBatch.Capacity + 1);
            both(q =>
            {
                if (!q.TryGetStream(stream, out var batch, out _)) return;
                var request = new ReadRequest(Receiver, stream, advance ? batch : batch - 1, ReadMode.Advance, max, 0, Times);
                q.Read(request, 0, new StoredMessage[MessageBatch.Capacity], out _, new StoredMessage[MessageBatch.Capacity], out _);
            });
        }
        else if (pick < 90)
        {
            var acknowledge = random.Next(2) == 0;
            both(q =>
            {
                q.Close(stream, acknowledge);
                Assert.True(q.TryOpen(stream, 6, 0, Times));
            });
        }
        else
        {
            var sequence = live.NextSequence - 1 - random.Next((int)Math.Min(live.NextSequence - 1, 5 * Chunk));
            if (!live.TryGetId(sequence, out var id)) return;
            var position = random.NextInt64(1, 1L << 40);
            both(q => Assert.True(q.TryMove(id, position)));
        }
    }

    private static long Allocated(Action change)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        change();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static ResourceId IdOf(int i) => new(0x5049_0100_0000_0001, 0x0203_0405_0607_0809, (ulong)i + 1);

    private static void Append(IspbQueue queue, int i) =>
        queue.Append(new StoredMessage(IdOf(i), queue.NextSequence, 1_000 + i * 100L, 90 + i % 1000, 1_700_000_000_000 + i));

}
