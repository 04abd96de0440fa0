using Pix.Protocol.Ids;
using Pix.Storage.Embedded.Dedup;

namespace Pix.Bench.Dedup;

/// <summary>Pix's own index (<see cref="DiskDedupIndex"/>).</summary>
internal sealed class OurDedupCandidate : IDedupCandidate
{
    private static readonly byte[] Instance = Enumerable.Range(0, 13).Select(i => (byte)(i + 1)).ToArray();
    private static readonly ResourceId Base = ResourceId.Create(Instance, 0);

    private readonly DiskDedupIndex _index;

    public OurDedupCandidate(string directory, long cacheBytes, TimeSpan window) =>
        _index = DiskDedupIndex.Open(directory, Instance, new DedupIndexOptions { CacheBytes = cacheBytes, Window = window });

    public void Add(in DedupKey key, ulong sequence, long atMs) => _index.Add(key, Base with { Low = sequence }, atMs);

    public bool TryGet(in DedupKey key, out ulong sequence)
    {
        var found = _index.TryGet(key, out var id);
        sequence = id.Low;
        return found;
    }

    public void Persist(long watermark) => _index.PersistAsync(watermark).GetAwaiter().GetResult();

    // Expiry is the index's own: whole runs go in the background once their newest key leaves the window.
    public string Expire(long horizonMs) => $"background, {_index.Stats().ExpiredRuns} runs deleted so far";

    public string Describe()
    {
        var s = _index.Stats();
        return $"{s.Runs} runs, {s.RunEntries:N0} keys on disk, {s.TableKeys:N0} in tables, filters+fences {s.FilterBytes / 1048576.0:F0} MiB, " +
               $"{s.Flushes} flushes, {s.Merges} merges, {s.ExpiredRuns} runs expired, written {s.BytesWritten / 1048576.0:F0} MiB, writer stalls {s.WriterStalls}";
    }

    public void Dispose() => _index.Dispose();
}
