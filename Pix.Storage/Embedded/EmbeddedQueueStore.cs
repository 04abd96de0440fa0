using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
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
    private readonly CheckpointFiles _checkpoints;
    private readonly DataDirectoryLock _lock;
    // A plain monitor, not System.Threading.Lock: the writer waits on it for work (Monitor.Wait).
    private readonly object _stateLock = new();
    private readonly LogEntryPool _entries = new();
    private List<LogEntry> _pending = new();
    private bool _stopping;
    private readonly Thread _writer;
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Kind => "embedded";

    public ValueTask AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        batch.Outcomes.Clear();
        if (batch.Count == 0) return ValueTask.CompletedTask;
        var entry = _entries.Rent();
        entry.PrepareAppend(batch);
        lock (_stateLock) Enqueue(entry);
        return entry.AsValueTask();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, CancellationToken cancellationToken = default)
    {
        LogEntry entry;
        ulong id;
        lock (_stateLock)
        {
            ThrowIfStopping();
            var queue = _book.Queue(ispb);
            id = _book.NextStreamId();
            lock (queue)
            {
                if (!queue.TryOpen(id, maxStreams)) return OpenResult.Full;
            }
            entry = _entries.Rent();
            entry.SetStateLength(StreamRecord.WriteOpened(entry.StateBuffer(), ispb, id));
            Enqueue(entry);
        }
        await entry.AsValueTask().ConfigureAwait(false);
        return new OpenResult(true, id);
    }

    public bool TryGetStream(Ispb ispb, ulong streamId, out StreamPosition position)
    {
        position = default;
        if (!_book.TryGetQueue(ispb, out var queue)) return false;
        lock (queue) return queue.TryGetStream(streamId, out position);
    }

    public ValueTask<ClaimStatus> ClaimAsync(ClaimRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        LogEntry? entry = null;
        ClaimStatus status;
        lock (_stateLock)
        {
            ThrowIfStopping();
            if (!_book.TryGetQueue(request.Ispb, out var queue))
            {
                into.Clear();
                return ValueTask.FromResult(ClaimStatus.Gone);
            }
            bool changed;
            lock (queue) status = queue.Claim(request, into, out changed);
            // A repeated read changes nothing. Every new batch number is logged, even an empty one (a long poll that
            // ended in 204): the client's next token names it, so it must survive a crash too. One small record,
            // shared with others by the group commit, after a poll of seconds.
            if (status == ClaimStatus.Ok && (changed || request.AcknowledgePrevious))
            {
                entry = _entries.Rent();
                entry.SetStateLength(StreamRecord.WriteClaimed(entry.StateBuffer(), request.Ispb, request.StreamId, into.Batch, request.AcknowledgePrevious, into.Items));
                Enqueue(entry);
            }
        }
        return entry is null ? ValueTask.FromResult(status) : AwaitDurable(entry, status);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> CloseStreamAsync(Ispb ispb, ulong streamId, bool acknowledge, CancellationToken cancellationToken = default)
    {
        LogEntry entry;
        lock (_stateLock)
        {
            ThrowIfStopping();
            if (!_book.TryGetQueue(ispb, out var queue)) return false;
            lock (queue)
            {
                if (!queue.Close(streamId, acknowledge)) return false;
            }
            entry = _entries.Rent();
            entry.SetStateLength(StreamRecord.WriteClosed(entry.StateBuffer(), ispb, streamId, acknowledge));
            Enqueue(entry);
        }
        await entry.AsValueTask().ConfigureAwait(false);
        return true;
    }

    /// <summary>One read for the record's frame and fixed fields, one straight into the caller's span for the payload,
    /// and the record's CRC over both: damage on disk is caught on the way out, without a second copy.</summary>
    public bool TryReadPayload(in StoredMessage message, Span<byte> destination)
    {
        Span<byte> prefix = stackalloc byte[MessageRecord.PayloadOffset];
        _segments.Read(message.Position - MessageRecord.PayloadOffset, prefix);
        var payload = destination[..message.Length];
        _segments.Read(message.Position, payload);
        return LogRecordFrame.IsIntact(prefix, payload);
    }

    public IReadOnlyList<(Ispb Ispb, ulong StreamId)> OpenStreams() => _book.OpenStreams();

    public long Backlog(Ispb ispb) => _book.Backlog(ispb);

    public IReadOnlyList<Ispb> Participants() => _book.Participants();

    public QueueStats Stats(Ispb ispb) => _book.Stats(ispb, _clock.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Figures of the group commit since open (for benchmarks and metrics).</summary>
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
        _segments.Dispose();
        _lock.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ClaimStatus> AwaitDurable(LogEntry entry, ClaimStatus status)
    {
        await entry.AsValueTask().ConfigureAwait(false);
        return status;
    }

    // Caller holds _stateLock.
    private void Enqueue(LogEntry entry)
    {
        ThrowIfStopping();
        _pending.Add(entry);
        if (_pending.Count == 1) Monitor.Pulse(_stateLock);
    }

    private void ThrowIfStopping() => ObjectDisposedException.ThrowIf(_stopping, this);
}
