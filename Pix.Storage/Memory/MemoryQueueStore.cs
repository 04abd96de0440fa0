using System.Buffers;
using Pix.Protocol.Ids;
using Pix.Storage.Queues;

namespace Pix.Storage.Memory;

/// <summary>
/// Keeps everything in process memory: for tests and trials, never durable. Payloads live in pooled arrays that go
/// back to the pool once their message is acknowledged, so a queue that is consumed neither grows nor allocates.
/// </summary>
public sealed class MemoryQueueStore(TimeSpan dedupWindow, TimeProvider? clock = null) : IQueueStore
{
    private readonly QueueBook _book = new(dedupWindow);
    // A plain dictionary under a lock: a ConcurrentDictionary allocates a node per message.
    private readonly Dictionary<long, byte[]> _payloads = new();
    private readonly Lock _payloadLock = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _appendLock = new();

    public string Kind => "memory";

    public ValueTask AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        // One lock for the whole request keeps it all-or-nothing and keeps arrival order equal to id order.
        lock (_appendLock)
        {
            batch.Outcomes.Clear();
            // Indexing, not foreach: the list is behind IReadOnlyList, whose enumerator would be boxed.
            var messages = batch.Messages;
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                var hasKey = !message.BizMsgIdr.IsEmpty;
                var key = hasKey ? DedupIndex.KeyOf(message.From, message.BizMsgIdr.Span) : default;
                if (hasKey && _book.Dedup.TryGet(key, out var original))
                {
                    batch.Outcomes.Add(new AppendOutcome(original, true));
                    continue;
                }
                var id = _book.NextResourceId();
                var position = (long)id.Sequence;
                var payload = ArrayPool<byte>.Shared.Rent(message.Payload.Length);
                message.Payload.Span.CopyTo(payload);
                lock (_payloadLock) _payloads[position] = payload;
                if (message.Disposition == Disposition.Deliver)
                {
                    var queue = _book.Queue(message.To);
                    lock (queue)
                    {
                        queue.Append(new StoredMessage(id, queue.NextSequence, position, message.Payload.Length, now));
                    }
                }
                if (hasKey) _book.Dedup.Add(key, id, now);
                batch.Outcomes.Add(new AppendOutcome(id, false));
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, CancellationToken cancellationToken = default)
    {
        var queue = _book.Queue(ispb);
        var id = _book.NextStreamId();
        lock (queue)
        {
            return ValueTask.FromResult(queue.TryOpen(id, maxStreams) ? new OpenResult(true, id) : OpenResult.Full);
        }
    }

    public bool TryGetStream(Ispb ispb, ulong streamId, out StreamPosition position)
    {
        position = default;
        if (!_book.TryGetQueue(ispb, out var queue)) return false;
        lock (queue) return queue.TryGetStream(streamId, out position);
    }

    public ValueTask<ClaimStatus> ClaimAsync(ClaimRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        if (!_book.TryGetQueue(request.Ispb, out var queue))
        {
            into.Clear();
            return ValueTask.FromResult(ClaimStatus.Gone);
        }
        Span<StoredMessage> settled = stackalloc StoredMessage[MessageBatch.Capacity];
        ClaimStatus status;
        var count = 0;
        lock (queue)
        {
            if (request.AcknowledgePrevious) count = queue.CopyClaim(request.StreamId, settled);
            status = queue.Claim(request, into, out _);
        }
        // Ok with AcknowledgePrevious means the previous batch was acknowledged: nobody reads those payloads again.
        if (status == ClaimStatus.Ok) Release(settled[..count]);
        return ValueTask.FromResult(status);
    }

    public ValueTask<bool> CloseStreamAsync(Ispb ispb, ulong streamId, bool acknowledge, CancellationToken cancellationToken = default)
    {
        if (!_book.TryGetQueue(ispb, out var queue)) return ValueTask.FromResult(false);
        Span<StoredMessage> settled = stackalloc StoredMessage[MessageBatch.Capacity];
        bool closed;
        var count = 0;
        lock (queue)
        {
            if (acknowledge) count = queue.CopyClaim(streamId, settled);
            closed = queue.Close(streamId, acknowledge);
        }
        if (closed) Release(settled[..count]);
        return ValueTask.FromResult(closed);
    }

    // Process memory has no checksum to fail.
    public bool TryReadPayload(in StoredMessage message, Span<byte> destination)
    {
        lock (_payloadLock) _payloads[message.Position].AsSpan(0, message.Length).CopyTo(destination);
        return true;
    }

    public IReadOnlyList<(Ispb Ispb, ulong StreamId)> OpenStreams() => _book.OpenStreams();

    public long Backlog(Ispb ispb) => _book.Backlog(ispb);

    public IReadOnlyList<Ispb> Participants() => _book.Participants();

    public QueueStats Stats(Ispb ispb) => _book.Stats(ispb, _clock.GetUtcNow().ToUnixTimeMilliseconds());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

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
