namespace Pix.Storage.Redis;

/// <summary><c>Pix:Redis:Durability</c>: when a change counts as stored (see docs/redis-store.md).</summary>
public enum RedisDurability
{
    /// <summary>After the write, <c>WAIT 1</c> must confirm a replica has it within the wait time, else 503. Survives
    /// the loss of a primary (its replica is promoted with every acknowledged write).</summary>
    Replica,
    /// <summary>The primaries run <c>appendfsync always</c>: a write is on the primary's disk before the reply.
    /// Survives a process crash or power cut of the primary, not the loss of its disk.</summary>
    Aof,
    /// <summary>No guarantee beyond the primary's memory: for benchmarks only.</summary>
    None,
}
