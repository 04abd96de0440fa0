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

    public QueueStats Stats(Ispb ispb, long nowMs)
    {
        if (!_queues.TryGetValue(ispb, out var queue)) return default;
        lock (queue)
        {
            var oldest = queue.OldestUnacknowledgedStoredAtUnixMs();
            return new QueueStats(queue.UnclaimedCount, queue.Unacknowledged, oldest == 0 ? 0 : Math.Max(0, nowMs - oldest), queue.OpenStreamCount);
        }
    }

    public IReadOnlyList<(Ispb Ispb, ulong StreamId)> OpenStreams()
    {
        var streams = new List<(Ispb, ulong)>();
        foreach (var (ispb, queue) in _queues)
        {
            lock (queue)
            {
                foreach (var id in queue.StreamIds) streams.Add((ispb, id));
            }
        }
        return streams;
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
