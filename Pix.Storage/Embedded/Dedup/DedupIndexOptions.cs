namespace Pix.Storage.Embedded.Dedup;

/// <summary>How the disk-backed dedup index sizes itself.</summary>
internal sealed class DedupIndexOptions
{
    /// <summary>A key older than this (by the newest time added) is forgotten.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Memory for the newest keys: four tables of a quarter each (one taking adds, the others waiting to
    /// be written). Everything older is on disk, with <see cref="FilterBitsPerKey"/> in memory per key.</summary>
    public long CacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Filter bits per key on disk; 14 is 1.75 bytes, plus about 0.1 byte of fences.</summary>
    public int FilterBitsPerKey { get; init; } = 14;

    /// <summary>How many runs of one level are merged into one of the next.</summary>
    public int MergeFanout { get; init; } = 4;

    /// <summary>Runs are not merged past this span of time, so an expired run is deleted at most this late;
    /// default a quarter of the window.</summary>
    public TimeSpan? MaxRunSpan { get; init; }

    internal const int Memtables = 4;

    internal long WindowMs => (long)Window.TotalMilliseconds;

    internal long MaxRunSpanMs => (long)(MaxRunSpan ?? Window / 4).TotalMilliseconds;

    internal int MemtableSlots => DedupMemtable.SlotsFor(CacheBytes / Memtables);
}
