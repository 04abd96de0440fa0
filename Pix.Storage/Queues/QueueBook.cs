using System.Collections.Concurrent;
using System.Security.Cryptography;
using Pix.Protocol.Ids;

namespace Pix.Storage.Queues;

/// <summary>
/// Every ISPB's <see cref="IspbQueue"/>, the dedup index and the id counters of one store: the in-process state the
/// memory and embedded adapters share. Each queue is locked on its own, so ISPBs never contend with each other.
/// </summary>
public sealed class QueueBook(TimeSpan dedupWindow, byte[]? instanceId = null)
{
    private readonly ConcurrentDictionary<Ispb, IspbQueue> _queues = new();
    private readonly byte[] _instance = instanceId ?? RandomNumberGenerator.GetBytes(13);
    private long _globalSequence;
    private long _streamIds;

    public DedupIndex Dedup { get; } = new(dedupWindow);

    public IspbQueue Queue(Ispb ispb) => _queues.GetOrAdd(ispb, static _ => new IspbQueue());

    /// <summary>The ISPB's queue, created if needed, with its lock held (the caller exits it). Never a queue that
    /// <see cref="ReleaseIfIdle"/> retired meanwhile: an append racing a release lands in the live queue.</summary>
    public IspbQueue EnterQueue(Ispb ispb)
    {
        while (true)
        {
            var queue = Queue(ispb);
            Monitor.Enter(queue);
            if (!queue.Retired) return queue;
            Monitor.Exit(queue);
        }
    }

    /// <summary>How long a queue must stay idle (no message, no stream) before it is released: a participant that
    /// opens and closes streams all the time keeps its queue instead of building a new one each time.</summary>
    public TimeSpan ReleaseIdleAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Forgets an ISPB whose queue has held nothing and had no stream for <see cref="ReleaseIdleAfter"/>
    /// (seen by the sweeps that call this), so state kept for an ISPB follows live data, not every ISPB a caller ever
    /// named. The caller holds the queue's lock.</summary>
    public void ReleaseIfIdle(Ispb ispb, IspbQueue queue, long nowMs)
    {
        if (!queue.IsIdle || queue.Retired)
        {
            queue.IdleSinceMs = 0;
            return;
        }
        if (queue.IdleSinceMs == 0) queue.IdleSinceMs = nowMs;
        if (nowMs - queue.IdleSinceMs < (long)ReleaseIdleAfter.TotalMilliseconds) return;
        queue.Retired = true;
        _queues.TryRemove(new KeyValuePair<Ispb, IspbQueue>(ispb, queue));
    }

    /// <summary>After recovery: forgets every idle queue at once.</summary>
    public void ReleaseIdle()
    {
        foreach (var (ispb, queue) in _queues)
        {
            lock (queue)
            {
                if (!queue.IsIdle) continue;
                queue.Retired = true;
                _queues.TryRemove(new KeyValuePair<Ispb, IspbQueue>(ispb, queue));
            }
        }
    }

    public bool TryGetQueue(Ispb ispb, out IspbQueue queue) => _queues.TryGetValue(ispb, out queue!);

    public IEnumerable<KeyValuePair<Ispb, IspbQueue>> Queues => _queues;

    /// <summary>Puts back a queue a checkpoint held (recovery only, before the store serves).</summary>
    public void Restore(Ispb ispb, IspbQueue queue) => _queues[ispb] = queue;

    public ResourceId NextResourceId() => ResourceId.Create(_instance, (ulong)Interlocked.Increment(ref _globalSequence));

    public ulong NextStreamId() => (ulong)Interlocked.Increment(ref _streamIds);

    /// <summary>After a replay: the counters continue past everything the log held.</summary>
    public void AdvanceCounters(ulong globalSequence, ulong streamId)
    {
        InterlockedMax(ref _globalSequence, (long)globalSequence);
        InterlockedMax(ref _streamIds, (long)streamId);
    }

    public ulong GlobalSequence => (ulong)Volatile.Read(ref _globalSequence);

    public ulong LastStreamId => (ulong)Volatile.Read(ref _streamIds);

    public IReadOnlyList<Ispb> Participants() => [.. _queues.Keys];

    // A 64-bit read is atomic on the platforms .NET runs on; a moment-stale count is fine for back-pressure.
    public long Backlog(Ispb ispb) => _queues.TryGetValue(ispb, out var queue) ? queue.Unacknowledged : 0;

    /// <summary>Whether a receiver of the batch's deliverable messages is at the backlog limit.</summary>
    public bool BacklogReached(AppendBatch batch)
    {
        if (batch.MaxBacklog == long.MaxValue) return false;
        var messages = batch.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Disposition == Disposition.Deliver && Backlog(messages[i].To) >= batch.MaxBacklog) return true;
        }
        return false;
    }

    public QueueStats Stats(Ispb ispb, long nowMs)
    {
        if (!_queues.TryGetValue(ispb, out var queue)) return default;
        lock (queue)
        {
            var oldest = queue.OldestUnacknowledgedStoredAtUnixMs();
            return new QueueStats(queue.UnclaimedCount, queue.Unacknowledged, oldest == 0 ? 0 : Math.Max(0, nowMs - oldest), queue.OpenStreamCount);
        }
    }

    /// <summary>Closes idle streams of every queue (see <see cref="IspbQueue.ExpireIdle"/>) and releases queues idle for
    /// <see cref="ReleaseIdleAfter"/>; <paramref name="closed"/>
    /// runs under each queue's lock for every stream closed, so a durable adapter can log it in order.</summary>
    public void ExpireIdle(long nowMs, List<ExpiredStream> into, Action<ExpiredStream>? closed = null)
    {
        foreach (var (ispb, queue) in _queues)
        {
            lock (queue)
            {
                if (queue.OpenStreamCount > 0)
                {
                    var first = into.Count;
                    queue.ExpireIdle(ispb, nowMs, into);
                    if (closed is not null)
                    {
                        for (var i = first; i < into.Count; i++) closed(into[i]);
                    }
                }
                ReleaseIfIdle(ispb, queue, nowMs);
            }
        }
    }

    /// <summary>After recovery: idle clocks start now, no lease survives a restart.</summary>
    public void ResetStreamTimes(long nowMs, StreamTimes times)
    {
        foreach (var queue in _queues.Values)
        {
            lock (queue) queue.ResetTimes(nowMs, times);
        }
    }

    /// <summary>Every open stream with its current batch number (tools and tests that resume streams after a restart).</summary>
    public IReadOnlyList<(Ispb Ispb, ulong StreamId, uint Batch)> OpenStreams()
    {
        var streams = new List<(Ispb, ulong, uint)>();
        foreach (var (ispb, queue) in _queues)
        {
            lock (queue)
            {
                foreach (var id in queue.StreamIds)
                {
                    queue.TryGetStream(id, out var batch, out _);
                    streams.Add((ispb, id, batch));
                }
            }
        }
        return streams;
    }

    public int OpenStreamCount()
    {
        var count = 0;
        foreach (var queue in _queues.Values)
        {
            lock (queue) count += queue.OpenStreamCount;
        }
        return count;
    }

    private static void InterlockedMax(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
