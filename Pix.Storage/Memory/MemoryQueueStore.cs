using System.Collections.Concurrent;
using Pix.Protocol.Ids;
using Pix.Storage.Queues;

namespace Pix.Storage.Memory;

/// <summary>Keeps everything in process memory: for tests and trials, never durable.</summary>
public sealed class MemoryQueueStore(TimeSpan dedupWindow, TimeProvider? clock = null) : IQueueStore
{
    private readonly QueueBook _book = new(dedupWindow);
    private readonly ConcurrentDictionary<long, byte[]> _payloads = new();
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
            foreach (var message in batch.Messages)
            {
                var hasKey = !message.BizMsgIdr.IsEmpty;
                var key = hasKey ? DedupIndex.KeyOf(message.From, message.BizMsgIdr.Span) : default;
                if (hasKey && _book.Dedup.TryGet(key, out var original))
                {
                    batch.Outcomes.Add(new AppendOutcome(original, true));
                    continue;
                }
                var id = _book.NextResourceId();
                var position = (long)id.Sequence;
                _payloads[position] = message.Payload.ToArray();
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
        lock (queue) return ValueTask.FromResult(queue.Claim(request, into, out _));
    }

    public ValueTask<bool> CloseStreamAsync(Ispb ispb, ulong streamId, bool acknowledge, CancellationToken cancellationToken = default)
    {
        if (!_book.TryGetQueue(ispb, out var queue)) return ValueTask.FromResult(false);
        lock (queue) return ValueTask.FromResult(queue.Close(streamId, acknowledge));
    }

    // Process memory has no checksum to fail.
    public bool TryReadPayload(in StoredMessage message, Span<byte> destination)
    {
        _payloads[message.Position].AsSpan().CopyTo(destination);
        return true;
    }

    public IReadOnlyList<(Ispb Ispb, ulong StreamId)> OpenStreams() => _book.OpenStreams();

    public long Backlog(Ispb ispb) => _book.Backlog(ispb);

    public QueueStats Stats(Ispb ispb) => _book.Stats(ispb, _clock.GetUtcNow().ToUnixTimeMilliseconds());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
