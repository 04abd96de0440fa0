using Pix.Storage.Embedded.Dedup;
using ZoneTree;
using ZoneTree.Comparers;
using ZoneTree.Serializers;

namespace Pix.Bench.Dedup;

/// <summary>
/// ZoneTree: an LSM tree in C#. Keys are the 32-byte struct, values (sequence, time); durability by its own
/// write-ahead log (async compressed; persist = sync it); the maintainer merges in the background. Expiry: an
/// is-deleted delegate that treats values older than the horizon as deleted, so merges drop them.
/// </summary>
internal sealed class ZoneTreeDedupCandidate : IDedupCandidate
{
    public struct Value
    {
        public ulong Sequence;
        public long AtMs;
    }

    private readonly IZoneTree<DedupKey, Value> _tree;
    private readonly IMaintainer _maintainer;
    private long _horizonMs = long.MinValue;

    public ZoneTreeDedupCandidate(string directory, long cacheBytes)
    {
        _tree = new ZoneTreeFactory<DedupKey, Value>()
            .SetDataDirectory(directory)
            .SetComparer(new KeyComparer())
            .SetKeyHasher(new ZoneTree.Hashers.DefaultKeyHasher<DedupKey>())
            .SetKeySerializer(new StructSerializer<DedupKey>())
            .SetValueSerializer(new StructSerializer<Value>())
            .SetMutableSegmentMaxItemCount((int)Math.Min(int.MaxValue, cacheBytes / 4 / 64))
            .SetIsDeletedDelegate((in DedupKey _, in Value value) => value.AtMs < Volatile.Read(ref _horizonMs))
            .ConfigureWriteAheadLogOptions(o => o.WriteAheadLogMode = ZoneTree.Options.WriteAheadLogMode.AsyncCompressed)
            .OpenOrCreate();
        _maintainer = _tree.CreateMaintainer();
        _maintainer.EnableJobForCleaningInactiveCaches = true;
    }

    public void Add(in DedupKey key, ulong sequence, long atMs)
    {
        var k = key;
        var v = new Value { Sequence = sequence, AtMs = atMs };
        _tree.Upsert(in k, in v);
    }

    public bool TryGet(in DedupKey key, out ulong sequence)
    {
        var k = key;
        var found = _tree.TryGet(in k, out var value);
        sequence = value.Sequence;
        return found;
    }

    // Durability is ZoneTree's own write-ahead log, synced here. (Without a WAL only a merge into the disk segment
    // makes keys durable; forcing one per persist rewrites the disk segment each time: measured 43k keys/s at 0.7 M
    // keys falling to 23k keys/s at 2 M, so 20 M keys would take over an hour.)
    public void Persist(long watermark) => _tree.SyncWALAsync().GetAwaiter().GetResult();

    public string Expire(long horizonMs)
    {
        Volatile.Write(ref _horizonMs, horizonMs);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _tree.Maintenance.MoveMutableSegmentForward();
        _tree.Maintenance.StartMergeOperation()?.Join();
        return $"a full merge dropping expired values took {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s";
    }

    public string Describe() =>
        $"{_tree.Maintenance.ReadOnlySegmentsCount} read-only segments, {_tree.Maintenance.BottomSegments.Count} bottom segments, in-memory records {_tree.Maintenance.InMemoryRecordCount:N0}";

    public void Dispose()
    {
        _maintainer.WaitForBackgroundThreads();
        _maintainer.Dispose();
        _tree.Maintenance.SaveMetaData();
        _tree.Dispose();
    }

    private sealed class KeyComparer : IRefComparer<DedupKey>
    {
        public int Compare(in DedupKey x, in DedupKey y)
        {
            var c = x.A.CompareTo(y.A);
            if (c != 0) return c;
            c = x.B.CompareTo(y.B);
            if (c != 0) return c;
            c = x.C.CompareTo(y.C);
            return c != 0 ? c : x.D.CompareTo(y.D);
        }
    }
}
