namespace Pix.Storage.Embedded.Dedup;

/// <summary>How the disk-backed dedup index sizes itself.</summary>
internal sealed class DedupIndexOptions
{
    /// <summary>A key older than this (by the newest time added) is forgotten.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Memory for the newest keys: four tables of a quarter each (one taking adds, the others waiting to
    /// be written). Everything older is on disk, with its filter and fences in memory (under 2 bytes per key).</summary>
    public long CacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Bits of each filter fingerprint: a run answers "maybe" for 1 absent key in 2^bits; the filter
    /// costs about 1.13 times this per key (13: 14.7 bits, 1.84 bytes; plus under 0.05 byte of fences).</summary>
    public int FingerprintBits { get; init; } = 13;

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
