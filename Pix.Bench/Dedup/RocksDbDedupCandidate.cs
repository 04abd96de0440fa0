using System.Buffers.Binary;
using Pix.Storage.Embedded.Dedup;
using RocksDbSharp;

namespace Pix.Bench.Dedup;

/// <summary>
/// RocksDB (the <c>RocksDB</c> package, native library inside): 32-byte key, 16-byte value (sequence, time);
/// leveled compaction, full Bloom filters at 14 bits per key held in memory (as ours), an LRU block cache of the
/// same size as our tables, no compression (random keys do not compress), no WAL (the store's log is the truth;
/// persist = flush the memtable).
/// </summary>
internal sealed class RocksDbDedupCandidate : IDedupCandidate
{
    private readonly RocksDb _db;
    private readonly WriteOptions _write = new WriteOptions().DisableWal(1);

    public RocksDbDedupCandidate(string directory, long cacheBytes)
    {
        Directory.CreateDirectory(directory);
        var table = new BlockBasedTableOptions()
            .SetBlockSize(4096)
            .SetFilterPolicy(BloomFilterPolicy.Create(14, false))
            .SetBlockCache(Cache.CreateLru((ulong)(cacheBytes / 2)))
            .SetCacheIndexAndFilterBlocks(false);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCompression(Compression.No)
            .SetWriteBufferSize((ulong)(cacheBytes / 4))
            .SetMaxWriteBufferNumber(2)
            .SetMaxBackgroundCompactions(1)
            .SetBlockBasedTableFactory(table);
        _db = RocksDb.Open(options, directory);
    }

    public void Add(in DedupKey key, ulong sequence, long atMs)
    {
        Span<byte> k = stackalloc byte[DedupKey.ByteLength];
        Span<byte> v = stackalloc byte[16];
        key.WriteTo(k);
        BinaryPrimitives.WriteUInt64LittleEndian(v, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(v[8..], atMs);
        _db.Put(k, v, null, _write);
    }

    public bool TryGet(in DedupKey key, out ulong sequence)
    {
        Span<byte> k = stackalloc byte[DedupKey.ByteLength];
        Span<byte> v = stackalloc byte[16];
        key.WriteTo(k);
        var found = _db.GetFixedSizeValue(k, v);
        sequence = found ? BinaryPrimitives.ReadUInt64LittleEndian(v) : 0;
        return found;
    }

    public void Persist(long watermark) => _db.Flush(new FlushOptions().SetWaitForFlush(true));

    // Keys are random, so no key range holds the old ones: the binding offers TTL only by wall clock (OpenWithTtl,
    // FIFO ttl) and no compaction filter, so expired keys are rewritten by every compaction until then.
    public string Expire(long horizonMs) => "no expiry by the keys' own time in the C# binding (wall-clock TTL only)";

    public string Describe() =>
        $"{_db.GetProperty("rocksdb.num-files-at-level0")} L0 files; estimated keys {_db.GetProperty("rocksdb.estimate-num-keys")}; " +
        $"table readers (index+filters) {long.Parse(_db.GetProperty("rocksdb.estimate-table-readers-mem") ?? "0") / 1048576.0:F0} MiB";

    public void Dispose() => _db.Dispose();
}
