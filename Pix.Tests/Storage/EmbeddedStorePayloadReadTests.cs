using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Tests.Storage.Simulation;

namespace Pix.Tests.Storage;

/// <summary>A claimed batch's payloads come out of the log in as few reads as their places allow (one span per run of
/// nearby records), every record still checked on its own: its bytes, its CRC, its own failure.</summary>
public sealed class EmbeddedStorePayloadReadTests
{
    private const string DataDir = "/sim/data";
    private const string FirstSegment = DataDir + "/log/00000001.seg";
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Other = Ispb.Parse("11112222");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private readonly SimulatedDisk _disk = new(TimeProvider.System, "/sim", DataDir);
    private int _segmentReads;

    public EmbeddedStorePayloadReadTests() => _disk.Fault = (operation, path) =>
    {
        if (operation == "read" && path.EndsWith(".seg", StringComparison.Ordinal)) Interlocked.Increment(ref _segmentReads);
        return null;
    };

    private EmbeddedQueueStore OpenStore(long segmentBytes = 64L << 20) => new(new EmbeddedStoreOptions
    {
        DataDir = DataDir,
        Files = _disk,
        SegmentBytes = segmentBytes,
        Logger = new RecordingLogger(),
    });

    [Fact]
    public async Task TenMessagesStoredTogetherAreReadWithOneRead()
    {
        await using var store = OpenStore();
        await Append(store, Receiver, "m", 10);
        var batch = await ReadNext(store);
        Assert.Equal(1, _segmentReads);
        AssertPayloads(batch, Names("m", 10));
    }

    [Fact]
    public async Task ABatchAcrossTwoSegmentsTakesOneReadInEach()
    {
        // Each append is one group; the second does not fit after the first and rolls to a new segment.
        await using var store = OpenStore(segmentBytes: 700);
        await Append(store, Receiver, "a", 5);
        await Append(store, Receiver, "b", 5);
        var batch = await ReadNext(store);
        var segments = batch.Items.ToArray().Select(m => LogPosition.SegmentOf(m.Position)).Distinct().Count();
        Assert.Equal(2, segments);
        Assert.Equal(2, _segmentReads);
        AssertPayloads(batch, [.. Names("a", 5), .. Names("b", 5)]);
    }

    [Fact]
    public async Task AGapOfAFewRecordsIsReadOverAndALargeOneSplitsTheRead()
    {
        await using var store = OpenStore();
        await Append(store, Receiver, "a", 3);
        await Append(store, Other, "small", 1, padding: 1000);
        await Append(store, Receiver, "b", 3);
        await Append(store, Other, "large", 1, padding: PayloadReader.MaxGapBytes + 1);
        await Append(store, Receiver, "c", 3);
        var batch = await ReadNext(store);
        // a and b with the small record between them in one read; c in another after the large one.
        Assert.Equal(2, _segmentReads);
        AssertPayloads(batch, [.. Names("a", 3), .. Names("b", 3), .. Names("c", 3)]);
    }

    [Fact]
    public async Task ACorruptRecordInTheMiddleOfASpanIsMarkedDamagedAndItsNeighboursAreServed()
    {
        await using var store = OpenStore();
        await Append(store, Receiver, "m", 10);
        // One byte of message 4's payload, and one of message 7's fixed fields (its id), rot on disk.
        Flip(IndexOf("<Msg>m-4</Msg>") + 6);
        Flip(IndexOf("<Msg>m-7</Msg>") - 40);
        var batch = await ReadNext(store);
        Assert.Equal(1, _segmentReads);
        Assert.Equal(10, batch.Count);
        Assert.Equal([4, 7], Enumerable.Range(0, batch.Count).Where(batch.IsDamaged));
        for (var i = 0; i < batch.Count; i++)
        {
            if (i is not 4 and not 7) Assert.Equal($"<Msg>m-{i}</Msg>", Encoding.UTF8.GetString(batch.Payload(i)));
        }
    }

    [Fact]
    public async Task AFailedSpanReadFallsBackToOneReadPerRecord()
    {
        await using var store = OpenStore();
        await Append(store, Receiver, "m", 10);
        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        store.WaitForWriterIdle();
        var failed = 0;
        _disk.Fault = (operation, path) => operation == "read" && path.EndsWith(".seg", StringComparison.Ordinal) && Interlocked.Increment(ref failed) == 1
            ? new IOException("EIO (simulated)")
            : null;
        var batch = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.NextAsync(batch));
        // The span, then two reads for each record alone.
        Assert.Equal(1 + 2 * 10, failed);
        Assert.Equal(0, batch.DamagedCount);
        AssertPayloads(batch, Names("m", 10));
    }

    public static TheoryData<string, long[], int[], int[]> Spans() => new()
    {
        // name, record starts (segment 1 unless above 1 << 40), payload lengths, expected span ends
        { "adjacent", [100, 200, 300], [13, 13, 13], [3] },
        { "gap at the limit", [100, 200 + PayloadReader.MaxGapBytes], [13, 13], [2] },
        { "gap past the limit", [100, 201 + PayloadReader.MaxGapBytes], [13, 13], [1, 2] },
        { "out of log order", [300, 100], [13, 13], [1, 2] },
        { "overlapping", [100, 150], [13, 13], [1, 2] },
        { "another segment", [100, (2L << 40) + 200], [13, 13], [1, 2] },
        { "span at the limit", [100, PayloadReader.MaxSpanBytes - 13], [PayloadReader.MaxSpanBytes - 200, 26], [2] },
        { "span past the limit", [100, PayloadReader.MaxSpanBytes - 13], [PayloadReader.MaxSpanBytes - 200, 27], [1, 2] },
        { "one record too large", [100, PayloadReader.MaxSpanBytes + 187], [PayloadReader.MaxSpanBytes, 13], [1, 2] },
    };

    [Theory]
    [MemberData(nameof(Spans))]
    public void SpansEndWhereTheNextRecordIsNotCloseBehindInTheSameSegment(string name, long[] starts, int[] lengths, int[] ends)
    {
        // A record is the frame and fixed fields (87 bytes) then its payload; 13 + 87 = 100 bytes a record.
        var messages = starts.Select((start, i) => new StoredMessage(default, i, (start < 1L << 40 ? 1L << 40 : 0) + start + MessageRecord.PayloadOffset, lengths[i], 0)).ToArray();
        var found = new List<int>();
        for (var first = 0; first < messages.Length;)
        {
            first = PayloadReader.SpanEnd(messages, first, out _, out _);
            found.Add(first);
        }
        Assert.True(ends.SequenceEqual(found), $"{name}: spans end at {string.Join(",", found)}");
    }

    private static string[] Names(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => $"<Msg>{prefix}-{i}</Msg>")];

    private static void AssertPayloads(MessageBatch batch, string[] expected)
    {
        Assert.Equal(0, batch.DamagedCount);
        Assert.Equal(expected, Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch.Payload(i))));
    }

    /// <summary>Opens a stream and claims its first batch; <see cref="_segmentReads"/> counts that read's reads alone.</summary>
    private async Task<MessageBatch> ReadNext(EmbeddedQueueStore store)
    {
        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        store.WaitForWriterIdle();
        Volatile.Write(ref _segmentReads, 0);
        var batch = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.NextAsync(batch));
        return batch;
    }

    private int IndexOf(string text)
    {
        var at = _disk.Contents(FirstSegment).AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
        Assert.True(at > 0, text);
        return at;
    }

    private void Flip(int offset)
    {
        using var file = _disk.Open(FirstSegment);
        Span<byte> one = stackalloc byte[1];
        file.Read(offset, one);
        one[0] ^= 0x20;
        file.Write(offset, one);
        file.Flush();
    }

    private static async Task Append(IQueueStore store, Ispb to, string prefix, int count, int padding = 0)
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++)
        {
            var payload = $"<Msg>{prefix}-{i}</Msg>" + new string(' ', padding);
            batch.Add(new IncomingMessage(to, Sender, Encoding.ASCII.GetBytes($"{prefix}-{i}"), Encoding.UTF8.GetBytes(payload), Disposition.Deliver));
        }
        await store.AppendAsync(batch);
    }
}
