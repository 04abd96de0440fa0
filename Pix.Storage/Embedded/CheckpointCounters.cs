namespace Pix.Storage.Embedded;

/// <summary>Checkpoints taken since the store opened and how long they held the state lock (every append and stream
/// change waits on it): the mark only, since the state is written off the lock. <see cref="SerializeMax"/> is the
/// longest time writing one took, off the lock: what requests waited when it was written under the lock.</summary>
public readonly record struct CheckpointCounters(long Checkpoints, TimeSpan LockHeldTotal, TimeSpan LockHeldMax, TimeSpan SerializeMax);
