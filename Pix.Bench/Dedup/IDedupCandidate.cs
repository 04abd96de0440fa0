using Pix.Storage.Embedded.Dedup;

namespace Pix.Bench.Dedup;

/// <summary>One dedup index under evaluation: the operations the embedded store needs, over the same keys.</summary>
internal interface IDedupCandidate : IDisposable
{
    /// <summary>Remembers key -> (sequence, time); one writer, in time order.</summary>
    void Add(in DedupKey key, ulong sequence, long atMs);

    bool TryGet(in DedupKey key, out ulong sequence);

    /// <summary>Makes everything added so far durable (what a store checkpoint would ask).</summary>
    void Persist(long watermark);

    /// <summary>Forgets keys added before <paramref name="horizonMs"/> the way the engine can; says what it did.</summary>
    string Expire(long horizonMs);

    /// <summary>Anything worth reporting about the engine's state (runs, levels, files).</summary>
    string Describe();
}
