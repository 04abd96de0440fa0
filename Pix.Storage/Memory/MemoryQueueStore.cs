using System.Buffers;
using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Queues;

namespace Pix.Storage.Memory;

/// <summary>
/// Keeps everything in process memory: for tests and trials, never durable. Payloads live in pooled arrays that go
/// back to the pool once their message is acknowledged, so a queue that is consumed neither grows nor allocates.
/// </summary>
public sealed class MemoryQueueStore(TimeSpan dedupWindow, TimeProvider? clock = null, QuarantineLimits? quarantine = null) : IQueueStore
{
    private readonly QuarantineShelf _quarantine = new(quarantine ?? QuarantineLimits.Default);
    private readonly QueueBook _book = new(dedupWindow);
    // A plain dictionary under a lock: a ConcurrentDictionary allocates a node per message.
    private readonly Dictionary<long, byte[]> _payloads = new();
    private readonly Lock _payloadLock = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _appendLock = new();
    // The outbox, in the order entries were stored; guarded by _appendLock.
    private readonly Dictionary<ResourceId, byte[]> _outbox = new();
    private readonly List<ResourceId> _outboxOrder = new();

    public string Kind => "memory";

    public StoreHealth Health => StoreHealth.Ok;

    public ValueTask<AppendStatus> AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        // One lock for the whole request keeps it all-or-nothing and keeps arrival order equal to id order.
        lock (_appendLock)
        {
            batch.Outcomes.Clear();
            if (_book.BacklogReached(batch)) return ValueTask.FromResult(AppendStatus.Backlogged);
            // Indexing, not foreach: the list is behind IReadOnlyList, whose enumerator would be boxed.
            var messages = batch.Messages;
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                // Quarantined messages neither hold nor consult dedup keys: a corrected resend must get through.
                var hasKey = !message.BizMsgIdr.IsEmpty && message.Disposition == Disposition.Deliver;
                var key = hasKey ? DedupIndex.KeyOf(message.From, message.BizMsgIdr.Span) : default;
                if (hasKey && _book.Dedup.TryGet(key, out var original))
                {
                    batch.Outcomes.Add(new AppendOutcome(original, true));
                    continue;
                }
                var id = _book.NextResourceId();
                batch.Outcomes.Add(new AppendOutcome(id, false));
                if (message.Disposition != Disposition.Deliver)
                {
                    _quarantine.Add(new QuarantineShelf.Entry(new QuarantinedMessage(id, message.From, message.To, now, message.Payload.Length),
                        0, message.Payload.ToArray()), now);
                    continue;
                }
                Enqueue(message.To, id, message.Payload.Span, now);
                if (hasKey) _book.Dedup.Add(key, id, now);
            }
            var notices = batch.Notices;
            for (var i = 0; i < notices.Count; i++)
            {
                var notice = notices[i];
                var entryId = _book.NextResourceId();
                var message = notice.MessageIndex >= 0 ? batch.Outcomes[notice.MessageIndex].Id : default;
                _outbox[entryId] = NoticeCodec.ToArray(entryId, notice, message, now);
                _outboxOrder.Add(entryId);
            }
        }
        return ValueTask.FromResult(AppendStatus.Stored);
    }

    public ValueTask ListQuarantinedAsync(Ispb from, long sinceUnixMs, int max, List<QuarantinedMessage> into, CancellationToken cancellationToken = default)
    {
        lock (_appendLock) _quarantine.List(from, sinceUnixMs, max, WallMs, into);
        return ValueTask.CompletedTask;
    }

    public ValueTask<QuarantinedMessage?> FindQuarantinedAsync(ResourceId id, CancellationToken cancellationToken = default)
    {
        lock (_appendLock)
        {
            return ValueTask.FromResult(_quarantine.TryGet(id, out var entry) ? entry.Message : (QuarantinedMessage?)null);
        }
    }

    public ValueTask<byte[]?> ReadQuarantinedAsync(Ispb from, ResourceId id, CancellationToken cancellationToken = default)
    {
        lock (_appendLock)
        {
            return ValueTask.FromResult(_quarantine.TryGet(id, out var entry) && entry.Message.From == from ? entry.Payload : null);
        }
    }

    public ValueTask<QuarantineDelivery> DeliverQuarantinedAsync(Ispb from, ResourceId id, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default)
    {
        lock (_appendLock)
        {
            if (!_quarantine.TryGet(id, out var entry) || entry.Message.From != from)
            {
                return ValueTask.FromResult(new QuarantineDelivery(QuarantineDeliveryStatus.NotFound, default, default));
            }
            _quarantine.Remove(id);
            var to = entry.Message.To;
            var key = bizMsgIdr.IsEmpty ? default : DedupIndex.KeyOf(from, bizMsgIdr.Span);
            if (!bizMsgIdr.IsEmpty && _book.Dedup.TryGet(key, out var original))
            {
                return ValueTask.FromResult(new QuarantineDelivery(QuarantineDeliveryStatus.Duplicate, original, to));
            }
            var now = WallMs;
            Enqueue(to, id, entry.Payload, now);
            if (!bizMsgIdr.IsEmpty) _book.Dedup.Add(key, id, now);
            return ValueTask.FromResult(new QuarantineDelivery(QuarantineDeliveryStatus.Delivered, id, to));
        }
    }

    public ValueTask PendingNoticesAsync(List<PendingNotice> into, int max, CancellationToken cancellationToken = default)
    {
        lock (_appendLock)
        {
            _outboxOrder.RemoveAll(id => !_outbox.ContainsKey(id));
            foreach (var id in _outboxOrder)
            {
                if (into.Count >= max) break;
                into.Add(NoticeCodec.Read(_outbox[id]));
            }
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<bool> DeliverNoticeAsync(PendingNotice notice, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default)
    {
        var batch = new AppendBatch();
        batch.Add(new IncomingMessage(notice.To, Ispb.Spi, bizMsgIdr, payload, Disposition.Deliver));
        lock (_appendLock)
        {
            if (!_outbox.Remove(notice.EntryId)) return false;
        }
        // Taken out under the lock first: a concurrent second delivery of the same entry finds it gone.
        await AppendAsync(batch, cancellationToken);
        return !batch.Outcomes[0].Duplicate;
    }

    public ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, StreamTimes times, CancellationToken cancellationToken = default)
    {
        var id = _book.NextStreamId();
        var queue = _book.EnterQueue(ispb);
        try
        {
            return ValueTask.FromResult(queue.TryOpen(id, maxStreams, Now, times) ? new OpenResult(true, id) : OpenResult.Full);
        }
        finally
        {
            Monitor.Exit(queue);
        }
    }

    public ValueTask<StreamReadResult> ReadAsync(ReadRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        into.Clear();
        if (!_book.TryGetQueue(request.Ispb, out var queue)) return ValueTask.FromResult(StreamReadResult.Gone);
        Span<StoredMessage> claim = stackalloc StoredMessage[MessageBatch.Capacity];
        Span<StoredMessage> settled = stackalloc StoredMessage[MessageBatch.Capacity];
        StreamReadResult result;
        int count;
        ReadEffect effect;
        lock (queue) result = queue.Read(request, Now, claim, out count, settled, out effect);
        // Nobody reads acknowledged payloads again; claimed ones stay until their acknowledgement.
        Release(settled[..effect.Acknowledged]);
        into.Batch = result.Batch;
        lock (_payloadLock)
        {
            for (var i = 0; i < count; i++) into.Add(claim[i], _payloads[claim[i].Position].AsSpan(0, claim[i].Length));
        }
        return ValueTask.FromResult(result);
    }

    public ValueTask<CloseResult> CloseStreamAsync(CloseRequest request, CancellationToken cancellationToken = default)
    {
        if (!_book.TryGetQueue(request.Ispb, out var queue)) return ValueTask.FromResult(new CloseResult(ReadStatus.Gone, 0));
        Span<StoredMessage> settled = stackalloc StoredMessage[MessageBatch.Capacity];
        CloseResult result;
        int count;
        lock (queue) result = queue.Close(request, Now, settled, out count, out _);
        Release(settled[..count]);
        return ValueTask.FromResult(result);
    }

    public ValueTask ExpireIdleAsync(List<ExpiredStream> expired, CancellationToken cancellationToken = default)
    {
        _book.ExpireIdle(Now, expired);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<Ispb>> ParticipantsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_book.Participants());

    public ValueTask<QueueStats> StatsAsync(Ispb ispb, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_book.Stats(ispb, _clock.GetUtcNow().ToUnixTimeMilliseconds()));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>How long an idle queue is kept before a sweep releases it (tests shorten it).</summary>
    internal TimeSpan ReleaseIdleAfter { set => _book.ReleaseIdleAfter = value; }

    private long Now => MonotonicClock.NowMs(_clock);

    private long WallMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    // Caller holds _appendLock, so arrival order is id order.
    private void Enqueue(Ispb to, ResourceId id, ReadOnlySpan<byte> bytes, long nowMs)
    {
        var position = (long)id.Sequence;
        var payload = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(payload);
        lock (_payloadLock) _payloads[position] = payload;
        var queue = _book.EnterQueue(to);
        try
        {
            queue.Append(new StoredMessage(id, queue.NextSequence, position, bytes.Length, nowMs));
        }
        finally
        {
            Monitor.Exit(queue);
        }
    }

    private void Release(ReadOnlySpan<StoredMessage> acknowledged)
    {
        foreach (ref readonly var message in acknowledged)
        {
            byte[]? payload;
            lock (_payloadLock) _payloads.Remove(message.Position, out payload);
            if (payload is not null) ArrayPool<byte>.Shared.Return(payload);
        }
    }
}
