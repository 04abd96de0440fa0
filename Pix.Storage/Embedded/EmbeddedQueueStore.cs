using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Storage.Async;
using Pix.Storage.Files;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Embedded;

/// <summary>
/// The durable single-node store: every message and every change of stream state is a record in an append-only,
/// segmented, checksummed log (<see cref="SegmentFiles"/>), written by one thread that commits in groups (one fsync
/// for everything queued meanwhile). The queues themselves are the shared in-memory <see cref="QueueBook"/>, rebuilt
/// on open from the newest checkpoint plus the log after it.
/// </summary>
/// <remarks>
/// Ordering rule: every change of queue state happens under <see cref="_stateLock"/> together with queueing its log
/// record, so the log order of stream records is the order the changes happened, and a checkpoint taken under the
/// same lock sees exactly the changes of the records before its position. Messages are applied to the queues only
/// after their fsync, so nothing is claimable before it is durable.
/// </remarks>
public sealed partial class EmbeddedQueueStore : IQueueStore
{
    private readonly EmbeddedStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly QueueBook _book;
    private readonly SegmentFiles _segments;
    private readonly PayloadReader _payloads;
    private readonly CheckpointFiles _checkpoints;
    private readonly IFileLayer _files;
    private readonly IDisposable _lock;
    // A plain monitor, not System.Threading.Lock: the writer waits on it for work (Monitor.Wait).
    private readonly object _stateLock = new();
    private readonly LogEntryPool _entries = new();
    private readonly ReaderEpochs _readers = new();
    private List<LogEntry> _pending = new();
    private bool _stopping;
    // Why the store takes no more writes (the writer died); null while it does. Guarded by _stateLock.
    private string? _failure;
    // The disk has not finished the group in flight within the deadline: appends get 503 at once until it does.
    private volatile bool _stalled;
    private bool _groupEncoded;
    private long _groupStartedAt;
    private readonly ITimer _watchdog;
    private readonly ManualResetEventSlim _writerIdle = new(false);
    private volatile StoreHealth _health = StoreHealth.Ok;
    // Outbox entries not yet sent, in the order they were stored (Dictionary keeps insertion order while nothing is
    // removed in between; removal order does not matter for delivery). Guarded by _stateLock.
    private readonly Dictionary<ResourceId, byte[]> _outbox = new();
    // Quarantined messages and where their bytes are in the log. Guarded by _stateLock.
    private QuarantineShelf _quarantine = null!;
    private readonly Thread _writer;
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Kind => "embedded";

    public StoreHealth Health => _health;

    public ValueTask<AppendStatus> AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        batch.Outcomes.Clear();
        if (batch.Count == 0 && batch.Notices.Count == 0) return ValueTask.FromResult(AppendStatus.Stored);
        if (_book.BacklogReached(batch)) return ValueTask.FromResult(AppendStatus.Backlogged);
        // A stalled disk: answer at once rather than queue behind a write that does not finish.
        if (_stalled) return ValueTask.FromException<AppendStatus>(Unavailable("the disk has not completed a write within " + _options.WriteTimeout.TotalSeconds + " s"));
        var entry = _entries.Rent();
        entry.PrepareAppend(batch);
        try
        {
            lock (_stateLock) Enqueue(entry, cancellationToken);
        }
        catch (Exception ex)
        {
            // Enqueue gave the entry back to the pool.
            return ValueTask.FromException<AppendStatus>(ex);
        }
        // The entry itself is what the caller awaits: no state machine, nothing allocated.
        return entry.AsAppendTask();
    }

    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    public async ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, StreamTimes times, CancellationToken cancellationToken = default)
    {
        LogEntry entry;
        ulong id;
        lock (_stateLock)
        {
            ThrowIfUnavailable(cancellationToken);
            // Under _stateLock, where every release happens too: the queue cannot be retired under us.
            var queue = _book.Queue(ispb);
            id = _book.NextStreamId();
            lock (queue)
            {
                if (!queue.TryOpen(id, maxStreams, Now, times)) return OpenResult.Full;
            }
            entry = _entries.Rent();
            entry.SetStateLength(StreamRecord.WriteOpened(entry.StateBuffer(), ispb, id));
            Enqueue(entry, cancellationToken);
        }
        await entry.AsValueTask().ConfigureAwait(false);
        return new OpenResult(true, id);
    }

    public ValueTask<StreamReadResult> ReadAsync(ReadRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        into.Clear();
        Span<StoredMessage> claim = stackalloc StoredMessage[MessageBatch.Capacity];
        Span<StoredMessage> settled = stackalloc StoredMessage[MessageBatch.Capacity];
        LogEntry? entry = null;
        StreamReadResult result;
        int count;
        // Entered before positions are looked up: a segment deleted meanwhile stays open until this read is done.
        var epoch = _readers.Enter();
        try
        {
            lock (_stateLock)
            {
                // No check here: a read that changes nothing (a repeat, an empty poll) goes on while writes cannot.
                if (!_book.TryGetQueue(request.Ispb, out var queue)) return ValueTask.FromResult(StreamReadResult.Gone);
                ReadEffect effect;
                lock (queue) result = queue.Read(request, Now, claim, out count, settled, out effect);
                // Only acknowledgements and claims are logged: advancing over an empty batch (a long poll that ended in
                // 204) changes nothing a crash must keep, since an empty current batch accepts any later token.
                if (effect.MustBeDurable)
                {
                    entry = _entries.Rent();
                    entry.SetStateLength(StreamRecord.WriteClaimed(entry.StateBuffer(), request.Ispb, request.StreamId, result.Batch,
                        effect.Acknowledged > 0, claim[..(effect.Claimed ? count : 0)]));
                    Enqueue(entry, cancellationToken);
                }
            }
            into.Batch = result.Batch;
            _payloads.ReadBatch(claim[..count], into);
        }
        finally
        {
            _readers.Exit(epoch);
        }
        return entry is null ? ValueTask.FromResult(result) : AwaitDurable(entry, result);
    }

    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    public async ValueTask<CloseResult> CloseStreamAsync(CloseRequest request, CancellationToken cancellationToken = default)
    {
        Span<StoredMessage> settled = stackalloc StoredMessage[MessageBatch.Capacity];
        LogEntry entry;
        CloseResult result;
        lock (_stateLock)
        {
            ThrowIfUnavailable(cancellationToken);
            if (!_book.TryGetQueue(request.Ispb, out var queue)) return new CloseResult(ReadStatus.Gone, 0);
            bool acknowledge;
            lock (queue) result = queue.Close(request, Now, settled, out _, out acknowledge);
            if (result.Status != ReadStatus.Ok) return result;
            entry = _entries.Rent();
            entry.SetStateLength(StreamRecord.WriteClosed(entry.StateBuffer(), request.Ispb, request.StreamId, acknowledge));
            Enqueue(entry, cancellationToken);
        }
        await entry.AsValueTask().ConfigureAwait(false);
        return result;
    }

    // The engine asks every quarter second: a round that closes nothing allocates nothing (it allocated a list, a
    // closure and its delegate, about 136 B a round). The closes are queued in the order the book closed them, all
    // under the state lock, as before.
    public ValueTask ExpireIdleAsync(List<ExpiredStream> expired, CancellationToken cancellationToken = default)
    {
        List<LogEntry>? entries = null;
        try
        {
            lock (_stateLock)
            {
                ThrowIfUnavailable(cancellationToken);
                var first = expired.Count;
                _book.ExpireIdle(Now, expired);
                for (var i = first; i < expired.Count; i++)
                {
                    var stream = expired[i];
                    var entry = _entries.Rent();
                    entry.SetStateLength(StreamRecord.WriteClosed(entry.StateBuffer(), stream.Ispb, stream.StreamId, acknowledged: false));
                    Enqueue(entry, cancellationToken);
                    (entries ??= new List<LogEntry>()).Add(entry);
                }
            }
        }
        catch (Exception ex)
        {
            // As from the async method it was: a failure reaches the caller through the ValueTask.
            return ValueTask.FromException(ex);
        }
        return entries is null ? ValueTask.CompletedTask : WaitForAll(entries);
    }

    private static async ValueTask WaitForAll(List<LogEntry> entries)
    {
        foreach (var entry in entries) await entry.AsValueTask().ConfigureAwait(false);
    }

    public ValueTask ListQuarantinedAsync(Ispb from, long sinceUnixMs, int max, List<QuarantinedMessage> into, CancellationToken cancellationToken = default)
    {
        lock (_stateLock) _quarantine.List(from, sinceUnixMs, max, _clock.GetUtcNow().ToUnixTimeMilliseconds(), into);
        return ValueTask.CompletedTask;
    }

    public ValueTask<QuarantinedMessage?> FindQuarantinedAsync(ResourceId id, CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            return ValueTask.FromResult(_quarantine.TryGet(id, out var entry) ? entry.Message : (QuarantinedMessage?)null);
        }
    }

    public ValueTask<byte[]?> ReadQuarantinedAsync(Ispb from, ResourceId id, CancellationToken cancellationToken = default)
    {
        QuarantineShelf.Entry entry;
        var epoch = _readers.Enter();
        try
        {
            lock (_stateLock)
            {
                if (!_quarantine.TryGet(id, out entry) || entry.Message.From != from) return ValueTask.FromResult<byte[]?>(null);
            }
            var bytes = new byte[entry.Message.Length];
            var stored = new StoredMessage(id, 0, entry.Position, entry.Message.Length, entry.Message.StoredAtUnixMs);
            return ValueTask.FromResult<byte[]?>(_payloads.TryReadAlone(stored, bytes) ? bytes : null);
        }
        finally
        {
            _readers.Exit(epoch);
        }
    }

    public async ValueTask<QuarantineDelivery> DeliverQuarantinedAsync(Ispb from, ResourceId id, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default)
    {
        var payload = await ReadQuarantinedAsync(from, id, cancellationToken).ConfigureAwait(false);
        QuarantineShelf.Entry entry;
        lock (_stateLock)
        {
            // Taken off the shelf now, so a second delivery racing this one finds nothing; put back if the write fails.
            if (payload is null || !_quarantine.TryGet(id, out entry) || !_quarantine.Remove(id))
            {
                return new QuarantineDelivery(QuarantineDeliveryStatus.NotFound, default, default);
            }
        }
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(entry.Message.To, from, bizMsgIdr, payload, Disposition.Deliver) { KeepId = id });
        var log = _entries.Rent();
        log.PrepareAppend(batch);
        log.ReleasesQuarantine = id;
        try
        {
            lock (_stateLock) Enqueue(log, cancellationToken);
            await log.AsValueTask().ConfigureAwait(false);
        }
        catch
        {
            lock (_stateLock) _quarantine.Add(entry, _clock.GetUtcNow().ToUnixTimeMilliseconds());
            throw;
        }
        var outcome = batch.Outcomes[0];
        return new QuarantineDelivery(outcome.Duplicate ? QuarantineDeliveryStatus.Duplicate : QuarantineDeliveryStatus.Delivered, outcome.Id, entry.Message.To);
    }

    public ValueTask PendingNoticesAsync(List<PendingNotice> into, int max, CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            foreach (var bytes in _outbox.Values)
            {
                if (into.Count >= max) break;
                into.Add(NoticeCodec.Read(bytes));
            }
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<bool> DeliverNoticeAsync(PendingNotice notice, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default)
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(notice.To, Ispb.Spi, bizMsgIdr, payload, Disposition.Deliver));
        var entry = _entries.Rent();
        entry.PrepareAppend(batch, notice.EntryId);
        lock (_stateLock) Enqueue(entry, cancellationToken);
        await entry.AsValueTask().ConfigureAwait(false);
        return !batch.Outcomes[0].Duplicate;
    }

    public ValueTask<IReadOnlyList<Ispb>> ParticipantsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_book.Participants());

    public ValueTask<QueueStats> StatsAsync(Ispb ispb, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_book.Stats(ispb, _clock.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>Open streams now, with their current batch numbers: for tools and tests that resume streams after a
    /// restart as clients holding their tokens would (the server never needs to ask).</summary>
    public IReadOnlyList<(Ispb Ispb, ulong StreamId, uint Batch)> OpenStreams() => _book.OpenStreams();

    private long Now => MonotonicClock.NowMs(_clock);

    /// <summary>Figures of the group commit since open (for benchmarks and metrics).</summary>
    public CheckpointCounters Checkpoints => new(Volatile.Read(ref _checkpointsTaken),
        System.Diagnostics.Stopwatch.GetElapsedTime(0, Volatile.Read(ref _checkpointLockTicks)),
        System.Diagnostics.Stopwatch.GetElapsedTime(0, Volatile.Read(ref _checkpointLockTicksMax)),
        System.Diagnostics.Stopwatch.GetElapsedTime(0, Volatile.Read(ref _checkpointSerializeTicksMax)));

    /// <summary>Called on the writer thread after each group's write and fsync with how long the two took: the disk's
    /// part of every durable answer, apart from the queueing before it (the server's
    /// <c>pix.storage.fsync.duration</c>). It runs before the group's callers resume, so it must be cheap.</summary>
    public Action<TimeSpan>? GroupWritten { get; set; }

    public GroupCommitCounters Counters => new(Volatile.Read(ref _fsyncs), Volatile.Read(ref _committedEntries), Volatile.Read(ref _committedMessages), Volatile.Read(ref _committedBytes));

    public async ValueTask DisposeAsync()
    {
        lock (_stateLock)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.Pulse(_stateLock);
        }
        await _writerDone.Task.ConfigureAwait(false);
        _checkpointer.Join();
        _watchdog.Dispose();
        // The last checkpoint's persist: a clean shutdown leaves nothing for the next open to replay into the index.
        try
        {
            await _dedupPersist.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Logged (DedupFailed) when it failed; the next open replays the log after the older watermark.
        }
        _dedup.Dispose();
        try
        {
            _segments.TrimActive();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Harmless: the next open reads the zeros after the last record as the log's end.
            _logger.LogWarning("Could not cut the zeros after the log's end at shutdown: {Reason}", ex.Message);
        }
        _segments.Dispose();
        _lock.Dispose();
    }

    /// <summary>How long an idle queue is kept before a sweep releases it (tests shorten it).</summary>
    internal TimeSpan ReleaseIdleAfter { set => _book.ReleaseIdleAfter = value; }

    /// <summary>The messages of <paramref name="ispb"/> not yet acknowledged (for tests that check recovery against a model).</summary>
    internal List<StoredMessage> Unacknowledged(Ispb ispb)
    {
        var messages = new List<StoredMessage>();
        if (_book.TryGetQueue(ispb, out var queue))
        {
            lock (queue) queue.CopyUnacknowledged(messages);
        }
        return messages;
    }

    /// <summary>Waits until the writer has nothing queued and nothing in hand (checkpoints included), so that a test
    /// driving the store one call at a time sees the same file operations in the same order on every run. The dedup
    /// index's flushes and merges too.</summary>
    internal void WaitForWriterIdle()
    {
        while (true)
        {
            _writerIdle.Wait();
            lock (_stateLock)
            {
                if (_pending.Count == 0 && (_writerIdle.IsSet || _writerDone.Task.IsCompleted))
                {
                    if (_checkpoint == CheckpointStage.None || _writerDone.Task.IsCompleted) break;
                    // A checkpoint being written, or its retention still to run. A timed wait rather than waiting for a
                    // pulse: requests wake the writer with Pulse (one waiter, cheaper than PulseAll on every append),
                    // and a second waiter on this lock could take that pulse from the writer. Tests only.
                    Monitor.Wait(_stateLock, 1);
                }
            }
        }
        _dedup.WaitForIdle();
    }

    [AsyncMethodBuilder(typeof(SharedPoolingBuilder<>))]
    private static async ValueTask<StreamReadResult> AwaitDurable(LogEntry entry, StreamReadResult status)
    {
        await entry.AsValueTask().ConfigureAwait(false);
        return status;
    }

    // Caller holds _stateLock.
    private void Enqueue(LogEntry entry, CancellationToken cancellationToken)
    {
        // A stream change is already applied in memory: it must reach the log (a cancelled caller is answered by the
        // watchdog instead). An append is only refused here.
        if (_failure is not null || _stopping || (entry.IsAppend && cancellationToken.IsCancellationRequested))
        {
            // Not queued, so nobody completes it: back to the pool (its caller never awaits it).
            entry.Abandon();
            ThrowIfUnavailable(cancellationToken);
        }
        entry.QueuedAt = _clock.GetTimestamp();
        entry.Cancellation = cancellationToken;
        _pending.Add(entry);
        if (_pending.Count == 1) Monitor.Pulse(_stateLock);
    }

    // Caller holds _stateLock. Never ObjectDisposedException: a fault of ours is a 503 for the client, not a 500.
    private void ThrowIfUnavailable(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_failure is not null) ThrowUnavailable(_failure);
        if (_stopping) ThrowUnavailable("the store is closing");
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowUnavailable(string reason) => throw Unavailable(reason);

    private static StoreUnavailableException Unavailable(string reason) => new("The embedded store cannot take writes: " + reason);

}
