namespace Pix.Storage;

/// <summary>The operator's view of one ISPB's queue: unclaimed messages, stored but unacknowledged ones, the age of
/// the oldest unacknowledged one (the delivery lag) and open streams.</summary>
public readonly record struct QueueStats(long Depth, long Unacknowledged, long OldestUnacknowledgedAgeMs, int OpenStreams);
