using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Queues;

namespace Pix.Tests.Storage;

/// <summary>A queue in checkpoint format version 2 (deltas, the id prefix once, blocks of a chunk's length) reads back
/// as the queue it was: the same messages, states, streams and claims, and the same behaviour afterwards, across
/// chunk boundaries, acknowledged runs, ids of another prefix and deltas of any size or sign. Version 1 still reads.</summary>
public sealed class QueueUnitFormatTests
{
    private const int Chunk = QueueChunk.Size;
    private static readonly StreamTimes Times = new(60_000, 60_000);
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private const ulong High = 0x5049_0100_0000_0001, Middle = 0x0203_0405_0607_0809;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void ARandomQueueReadsBackAsItWasAndBehavesTheSame(int seed)
    {
        var random = new Random(seed);
        var queue = new IspbQueue();
        var writer = new RandomWriter(random);
        for (ulong s = 1; s <= 4; s++) Assert.True(queue.TryOpen(s, 6, 0, Times));
        for (var round = 0; round < 8; round++)
        {
            for (var i = 0; i < 3500; i++) RandomChange(random, queue, writer);
            AssertRoundTrip(queue);
        }
        Assert.True(queue.NextSequence > 3 * Chunk, "the rounds appended across several chunks");
        // And what happens next is the same: claims (released ones first), acknowledgements, appends.
        var restored = IspbQueue.ReadCompact(QueueSnapshots.Of(queue));
        for (var i = 0; i < 3000; i++)
        {
            var state = random.Next();
            RandomChange(new Random(state), queue, new RandomWriter(new Random(state)));
            RandomChange(new Random(state), restored, new RandomWriter(new Random(state)));
        }
        Assert.Equal(QueueSnapshots.Of(queue), QueueSnapshots.Of(restored));
        Assert.Equal(Drain(queue), Drain(restored));
    }

    [Fact]
    public void AnEmptyQueueAndAFullyAcknowledgedOneReadBack()
    {
        var empty = new IspbQueue();
        var restored = AssertRoundTrip(empty);
        restored.Append(new StoredMessage(new ResourceId(High, Middle, 1), 1, 100, 10, 5));
        Assert.Equal(1, restored.Unacknowledged);

        var acknowledged = new IspbQueue();
        var writer = new RandomWriter(new Random(7));
        for (var i = 0; i < Chunk + 5; i++) writer.Append(acknowledged);
        Assert.True(acknowledged.TryOpen(1, 6, 0, Times));
        Assert.Equal(Chunk + 5, Drain(acknowledged).Count);
        Assert.Equal(0, acknowledged.Unacknowledged);
        AssertRoundTrip(acknowledged);
    }

    [Theory]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(2 * Chunk)]
    public void QueuesEndingAtAndAroundAChunkBoundaryReadBack(int count)
    {
        var queue = new IspbQueue();
        var writer = new RandomWriter(new Random(count));
        for (var i = 0; i < count; i++) writer.Append(queue);
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        // A claim that straddles the boundary, then acknowledged holes in the middle of a block and at its end.
        queue.RestoreClaim(1, 1, acknowledgePrevious: false, [count - 2, count - 1, count]);
        Assert.True(queue.TryOpen(2, 6, 0, Times));
        queue.RestoreClaim(2, 1, acknowledgePrevious: false, [5, 6, 7, 8]);
        queue.Close(2, acknowledge: true);
        AssertRoundTrip(queue);
    }

    [Fact]
    public void ReleasedClaimsStillGoFirstAfterTheRoundTrip()
    {
        var queue = new IspbQueue();
        var writer = new RandomWriter(new Random(13));
        for (var i = 0; i < 30; i++) writer.Append(queue);
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        queue.RestoreClaim(1, 1, acknowledgePrevious: false, [3, 4, 5, 12, 13]);
        // Released: 3, 4, 5, 12 and 13 are unclaimed again, behind the cursor (at 14), as are 1, 2 and 6 to 11.
        queue.Close(1, acknowledge: false);
        var restored = AssertRoundTrip(queue);
        var expected = Enumerable.Range(1, 30).Select(s => (long)s).ToList();
        Assert.Equal(expected, Drain(restored));
        Assert.Equal(expected, Drain(queue));
    }

    [Fact]
    public void AnAcknowledgedPrefixAndHolesAreRunsAndSurviveTheRoundTrip()
    {
        var queue = new IspbQueue();
        var writer = new RandomWriter(new Random(11));
        for (var i = 0; i < 3000; i++) writer.Append(queue);
        // Acknowledge sequences 1..600 (a prefix the queue keeps: under 1,024 and under half the queue), then every
        // other batch of a second stream: runs of ten acknowledged entries between unacknowledged ones.
        Assert.True(queue.TryOpen(1, 6, 0, Times));
        for (var b = 0; b < 60; b++) queue.RestoreClaim(1, (uint)b + 1, acknowledgePrevious: true, Enumerable.Range(b * 10 + 1, 10).Select(s => (long)s).ToArray());
        queue.Close(1, acknowledge: true);
        Assert.True(queue.TryOpen(2, 6, 0, Times));
        for (var b = 0; b < 100; b++)
        {
            queue.RestoreClaim(2, (uint)b + 1, acknowledgePrevious: false, Enumerable.Range(1000 + b * 20, 10).Select(s => (long)s).ToArray());
            queue.Close(2, acknowledge: true);
            Assert.True(queue.TryOpen(2, 6, 0, Times));
        }
        Assert.Equal(3000 - 600 - 1000, queue.Unacknowledged);
        var bytes = QueueSnapshots.Of(queue);
        AssertRoundTrip(queue);
        // The 1,600 acknowledged entries take a run each (2 or 3 bytes), not a byte each.
        var unacknowledged = new List<StoredMessage>();
        queue.CopyUnacknowledged(unacknowledged);
        var fresh = new IspbQueue();
        foreach (var message in unacknowledged) fresh.Append(message with { Sequence = fresh.NextSequence });
        Assert.InRange(bytes.Length - QueueSnapshots.Of(fresh).Length, 1, 400);
    }

    [Fact]
    public void ABusyQueueTakesUnderTenBytesAMessage()
    {
        // As store-bench writes its backlog: two receivers alternating, records of ~150 bytes, ids one apart.
        var queues = new[] { new IspbQueue(), new IspbQueue() };
        long position = 8;
        for (var i = 0; i < 100_000; i++)
        {
            var queue = queues[i & 1];
            queue.Append(new StoredMessage(new ResourceId(High, Middle, (ulong)i + 1), queue.NextSequence, position, 64, 1_764_000_000_000 + i / 50));
            position += 151 + (i % 7 == 0 ? 24 : 0);
        }
        var bytes = queues.Sum(q => QueueSnapshots.Of(q).Length);
        Assert.InRange(bytes / 100_000.0, 1, 10);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void AVersion1QueueStillReadsAsTheSameQueue(int seed)
    {
        var random = new Random(seed);
        var queue = new IspbQueue();
        var writer = new RandomWriter(random);
        for (ulong s = 1; s <= 4; s++) Assert.True(queue.TryOpen(s, 6, 0, Times));
        for (var i = 0; i < 12_000; i++) RandomChange(random, queue, writer);
        var bytes = CheckpointV1Writer.Queue(queue);
        var reader = new SnapshotReader(bytes);
        var restored = IspbQueue.ReadSnapshot(ref reader);
        Assert.True(reader.AtEnd);
        AssertSameState(queue, restored);
        Assert.Equal(Drain(queue), Drain(restored));
    }

    [Fact]
    public void ATruncatedOrBentUnitIsRefusedNotMisread()
    {
        var queue = new IspbQueue();
        var writer = new RandomWriter(new Random(5));
        for (var i = 0; i < Chunk + 100; i++) writer.Append(queue);
        var bytes = QueueSnapshots.Of(queue);
        foreach (var cut in new[] { 10, 60, bytes.Length / 2, bytes.Length - 1 })
        {
            Assert.Throws<InvalidDataException>(() => IspbQueue.ReadCompact(bytes.AsSpan(0, cut).ToArray()));
        }
        // A block length one byte short: the block's entries no longer end where the block does.
        var bent = bytes.ToArray();
        var table = 8 + 8 + 8 + 1 + 8 + 8 + 4;
        bent[table]--;
        Assert.Throws<InvalidDataException>(() => IspbQueue.ReadCompact(bent));
        // A head byte with an unknown flag.
        bent = bytes.ToArray();
        bent[table + 8] = 0x40;
        Assert.Throws<InvalidDataException>(() => IspbQueue.ReadCompact(bent));
    }

    private static IspbQueue AssertRoundTrip(IspbQueue queue)
    {
        var bytes = QueueSnapshots.Of(queue);
        var restored = IspbQueue.ReadCompact(bytes);
        Assert.Equal(bytes, QueueSnapshots.Of(restored));
        AssertSameState(queue, restored);
        return restored;
    }

    private static void AssertSameState(IspbQueue expected, IspbQueue actual)
    {
        var (a, b) = (new List<StoredMessage>(), new List<StoredMessage>());
        expected.CopyUnacknowledged(a);
        actual.CopyUnacknowledged(b);
        Assert.Equal(a, b);
        Assert.Equal(expected.Unacknowledged, actual.Unacknowledged);
        // Not UnclaimedCount: the live queue's count includes released claims acknowledged since (skipped when
        // dequeued), a restored one's does not; Drain compares what is claimed next instead.
        Assert.Equal(expected.NextSequence, actual.NextSequence);
        Assert.Equal(expected.StreamIds.Order(), actual.StreamIds.Order());
        foreach (var stream in expected.StreamIds)
        {
            Assert.True(expected.TryGetStream(stream, out var batch, out var claimed));
            Assert.True(actual.TryGetStream(stream, out var batch2, out var claimed2));
            Assert.Equal((batch, claimed), (batch2, claimed2));
        }
    }

    // Claims everything left on a new stream, batch by batch: the order says which messages were released (they go
    // first) and which the cursor had not reached.
    private static List<long> Drain(IspbQueue queue)
    {
        const ulong stream = 99;
        Assert.True(queue.TryOpen(stream, 8, 0, Times));
        var claimed = new List<long>();
        var into = new StoredMessage[MessageBatch.Capacity];
        var acknowledged = new StoredMessage[MessageBatch.Capacity];
        for (uint batch = 0; ; batch++)
        {
            queue.Read(new ReadRequest(Receiver, stream, batch, ReadMode.Advance, MessageBatch.Capacity, 0, Times), 0, into, out var count, acknowledged, out _);
            if (count == 0) return claimed;
            for (var i = 0; i < count; i++) claimed.Add(into[i].Sequence);
        }
    }

    private static void RandomChange(Random random, IspbQueue queue, RandomWriter writer)
    {
        var pick = random.Next(100);
        var stream = (ulong)random.Next(1, 5);
        if (pick < 50)
        {
            writer.Append(queue);
        }
        else if (pick < 85)
        {
            if (!queue.TryGetStream(stream, out var batch, out _)) return;
            var advance = random.Next(10) < 8;
            var request = new ReadRequest(Receiver, stream, advance ? batch : batch - 1, ReadMode.Advance, random.Next(1, MessageBatch.Capacity + 1), 0, Times);
            queue.Read(request, 0, new StoredMessage[MessageBatch.Capacity], out _, new StoredMessage[MessageBatch.Capacity], out _);
        }
        else if (pick < 95)
        {
            queue.Close(stream, acknowledge: random.Next(2) == 0);
            Assert.True(queue.TryOpen(stream, 6, 0, Times));
        }
        else
        {
            // Compaction moves a record forward: its position jumps past later messages' (a negative delta after it).
            var sequence = queue.NextSequence - 1 - random.Next((int)Math.Min(queue.NextSequence - 1, 2 * Chunk));
            if (queue.TryGetId(sequence, out var id)) Assert.True(queue.TryMove(id, writer.Position + random.NextInt64(1, 1L << 36)));
        }
    }

    /// <summary>Messages as a store makes them, with the odd ones out: gaps in the ids (other queues' messages, up to
    /// 2^40), an older id or one of another prefix (a delivery from quarantine keeps its id), positions that jump or
    /// go back, lengths from 0 to 2^31-1, stored-at times that go back.</summary>
    private sealed class RandomWriter(Random random)
    {
        private ulong _low = 1_000;
        private long _storedAt = 1_764_000_000_000;

        public long Position { get; private set; } = 8;

        public void Append(IspbQueue queue)
        {
            var pick = random.Next(100);
            _low += pick < 2 ? (ulong)random.NextInt64(1, 1L << 40) : (ulong)random.Next(1, 40);
            var id = pick switch
            {
                2 => new ResourceId(High, Middle, _low - (ulong)random.Next(1, 900)),
                3 => new ResourceId(random.NextInt64() is var h ? (ulong)h : 0, (ulong)random.NextInt64(), _low),
                _ => new ResourceId(High, Middle, _low),
            };
            Position += pick == 4 ? -random.Next(1, 100_000) : pick == 5 ? random.NextInt64(1, 1L << 38) : random.Next(90, 3000);
            Position = Math.Max(Position, 8);
            var length = pick == 6 ? int.MaxValue : pick == 7 ? 0 : random.Next(1, 20_000);
            _storedAt += pick == 8 ? -random.Next(1, 5000) : random.Next(0, 3);
            queue.Append(new StoredMessage(id, queue.NextSequence, Position, length, _storedAt));
        }
    }
}
