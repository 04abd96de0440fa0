using System.Text;
using Pix.Bench.Embedded;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Embedded;
using Pix.Tests.Storage.Simulation;

namespace Pix.Tests.Storage;

/// <summary>Faults of the disk and of the writer, injected through the file layer: each is visible (503, health) and
/// bounded (a deadline, reads go on, the store recovers when the disk does).</summary>
public sealed class EmbeddedStoreFaultTests
{
    private const string DataDir = "/sim/data";
    private static readonly Ispb Receiver = Ispb.Parse("12345678");
    private static readonly Ispb Sender = Ispb.Parse("87654321");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly SimulatedDisk _disk = new(TimeProvider.System, "/sim", DataDir);

    private EmbeddedQueueStore OpenStore(long segmentBytes = 64L << 20, TimeSpan? writeTimeout = null, RecordingLogger? logger = null) => new(new EmbeddedStoreOptions
    {
        DataDir = DataDir,
        Files = _disk,
        SegmentBytes = segmentBytes,
        WriteTimeout = writeTimeout ?? TimeSpan.FromSeconds(5),
        Logger = logger ?? new RecordingLogger(),
    });

    [Fact]
    public async Task AWriterThatDiesTurnsEveryLaterWriteInto503WhileWhatIsStoredCanStillBeRead()
    {
        await using var store = OpenStore();
        await Append(store, 5, "before");
        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        var batch = new MessageBatch();
        await stream.NextAsync(batch);

        // Not an I/O error: a fault nobody planned for, which kills the writer thread.
        _disk.Fault = (operation, path) => operation == "flush" ? new InvalidOperationException("a bug in the writer") : null;
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Append(store, 1, "dies"));
        Assert.False(store.Health.Healthy);
        Assert.Contains("a bug in the writer", store.Health.Reason, StringComparison.Ordinal);

        // Every later write: 503, never ObjectDisposedException (a 500), even once the disk works again.
        _disk.Fault = null;
        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => Append(store, 1, "later"));
        Assert.Contains("writer stopped", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenStreamAsync(Receiver, 6, StoreCursor.LongTimes).AsTask());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => stream.CloseAsync(acknowledge: true));

        // What is stored is still served: the repeated read, its payloads, the figures.
        var again = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.RepeatAsync(again));
        Assert.Equal(5, again.Count);
        Assert.Equal("<Msg>before-0</Msg>", Encoding.UTF8.GetString(again.Payload(0)));
        Assert.Equal(5, (await store.StatsAsync(Receiver)).Unacknowledged);
    }

    [Fact]
    public async Task AHalfFailedSegmentRollFailsOneAppendNotEveryLaterOne()
    {
        var stored = new List<ResourceId>();
        await using (var store = OpenStore(segmentBytes: 400))
        {
            stored.AddRange(await Append(store, 3, "first"));
            // The next roll creates its file, then the directory fsync fails once.
            var failed = false;
            _disk.Fault = (operation, path) => operation == "flushdir" && path.EndsWith("/log", StringComparison.Ordinal) && !failed && (failed = true)
                ? new IOException("fsync of the log directory failed")
                : null;
            await Assert.ThrowsAsync<StoreUnavailableException>(() => Append(store, 3, "rolls"));
            Assert.True(failed);
            for (var i = 0; i < 5; i++) stored.AddRange(await Append(store, 3, $"after{i}"));
            Assert.True(store.Health.Healthy);
        }
        await using (var store = OpenStore(segmentBytes: 400))
        {
            var drained = await Drain(store);
            Assert.Equal(stored, drained);
        }
    }

    [Fact]
    public async Task AHungDiskGives503WithinTheDeadlineAndAppendsFailAtOnceUntilItAnswers()
    {
        var logger = new RecordingLogger();
        await using var store = OpenStore(writeTimeout: TimeSpan.FromMilliseconds(300), logger: logger);
        await Append(store, 2, "before");
        using var gate = new ManualResetEventSlim(false);
        _disk.FlushGate = gate;
        try
        {
            var hung = Append(store, 1, "hung");
            // The watchdog answers the parked caller; the test only bounds how long it waits for that.
            Assert.Same(hung, await Task.WhenAny(hung, Task.Delay(Patience)));
            var late = await Assert.ThrowsAsync<StoreUnavailableException>(() => hung);
            Assert.Contains("outcome is unknown", late.Message, StringComparison.Ordinal);
            Assert.False(store.Health.Healthy);
            Assert.Contains("has not completed a write", store.Health.Reason, StringComparison.Ordinal);

            // While the disk hangs, an append is refused at once instead of parking behind it.
            var next = Append(store, 1, "refused");
            Assert.True(next.IsCompleted);
            await Assert.ThrowsAsync<StoreUnavailableException>(() => next);

            // A cancelled caller is answered too, though its stream change stays queued for the log.
            using var cancel = new CancellationTokenSource();
            var open = store.OpenStreamAsync(Receiver, 6, StoreCursor.LongTimes, cancel.Token).AsTask();
            cancel.Cancel();
            Assert.Same(open, await Task.WhenAny(open, Task.Delay(Patience)));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => open);
        }
        finally
        {
            gate.Set();
            // The gate is disposed before the store, whose shutdown flushes once more.
            _disk.FlushGate = null;
        }
        // The disk answers: the store recovers by itself, and the hung write did land (its outcome was unknown to
        // the client, who resends: dedup answers with the original id).
        await WaitUntil(() => store.Health.Healthy);
        var resent = await AppendOutcomes(store, 1, "hung");
        Assert.True(resent[0].Duplicate);
        Assert.True(store.Health.Healthy);
        Assert.Contains(logger.Lines, l => l.Contains("answered again", StringComparison.Ordinal));
        Assert.Equal(3, (await store.StatsAsync(Receiver)).Unacknowledged);
    }

    [Fact]
    public async Task ACallCancelledBeforeItStartsChangesNothing()
    {
        await using var store = OpenStore();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(Receiver, Sender, "c-1"u8.ToArray(), "<Msg/>"u8.ToArray(), Disposition.Deliver));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync(batch, cancel.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.OpenStreamAsync(Receiver, 6, StoreCursor.LongTimes, cancel.Token).AsTask());
        Assert.Equal(0, (await store.StatsAsync(Receiver)).Unacknowledged);
        Assert.Equal(0, (await store.StatsAsync(Receiver)).OpenStreams);
    }

    [Fact]
    public async Task AnIoErrorReadingAPayloadMarksItDamagedInsteadOfFailingTheReadAndItsRedeliveries()
    {
        await using var store = OpenStore();
        await Append(store, 2, "unreadable");
        var stream = new StoreCursor(store, Receiver);
        await stream.OpenAsync();
        _disk.Fault = (operation, path) => operation == "read" && path.EndsWith(".seg", StringComparison.Ordinal) ? new IOException("EIO (simulated)") : null;
        var batch = new MessageBatch();
        Assert.Equal(ReadStatus.Ok, await stream.NextAsync(batch));
        Assert.Equal(2, batch.Count);
        Assert.True(batch.IsDamaged(0) && batch.IsDamaged(1));
        // The same batch again (a repeat): still answered, still marked, never an exception that wedges the queue.
        Assert.Equal(ReadStatus.Ok, await stream.RepeatAsync(batch));
        Assert.Equal(2, batch.DamagedCount);
        _disk.Fault = null;
        Assert.Equal(ReadStatus.Ok, await stream.RepeatAsync(batch));
        Assert.Equal(0, batch.DamagedCount);
        Assert.Equal("<Msg>unreadable-1</Msg>", Encoding.UTF8.GetString(batch.Payload(1)));
    }

    [Fact]
    public async Task AShortInstanceIdStopsTheOpenInsteadOfMintingANewIdentity()
    {
        await using (var store = OpenStore()) await Append(store, 1, "first");
        using (var file = _disk.Open(DataDir + "/instance.id"))
        {
            file.Truncate(5);
            file.Flush();
        }
        var refused = Assert.Throws<InvalidDataException>(() => OpenStore());
        Assert.Contains("instance.id holds 5 bytes", refused.Message, StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, "The condition did not hold in time.");
            await Task.Delay(10);
        }
    }

    private static async Task<List<ResourceId>> Drain(IQueueStore store)
    {
        var ids = new List<ResourceId>();
        var cursor = new StoreCursor(store, Receiver);
        await cursor.OpenAsync();
        var batch = new MessageBatch();
        while (await cursor.NextAsync(batch) == ReadStatus.Ok && batch.Count > 0) ids.AddRange(batch.Items.ToArray().Select(m => m.Id));
        return ids;
    }

    private static async Task<List<ResourceId>> Append(IQueueStore store, int count, string prefix) =>
        [.. (await AppendOutcomes(store, count, prefix)).Select(o => o.Id)];

    private static async Task<List<AppendOutcome>> AppendOutcomes(IQueueStore store, int count, string prefix)
    {
        var batch = new AppendBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Add(new IncomingMessage(Receiver, Sender, Encoding.ASCII.GetBytes($"{prefix}-{i}"),
                Encoding.UTF8.GetBytes($"<Msg>{prefix}-{i}</Msg>"), Disposition.Deliver));
        }
        await store.AppendAsync(batch);
        return [.. batch.Outcomes];
    }
}
