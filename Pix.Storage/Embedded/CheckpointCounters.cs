namespace Pix.Storage.Embedded;

/// <summary>Checkpoints taken since the store opened and how long they held the state lock (every append and stream
/// change waits on it): the mark only, since the state is written off the lock.</summary>
public readonly record struct CheckpointCounters(long Checkpoints, TimeSpan LockHeldTotal, TimeSpan LockHeldMax);
