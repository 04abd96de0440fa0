namespace Pix.Storage.Embedded.Dedup;

/// <summary>What the dedup index holds and has done, for benchmarks and gauges.</summary>
internal readonly record struct DedupIndexStats(
    int Runs,
    long RunEntries,
    long TableKeys,
    long FilterBytes,
    long TableBytes,
    long DiskBytes,
    long WriterStalls,
    long Flushes,
    long Merges,
    long ExpiredRuns,
    long BytesWritten);
