namespace Pix.Storage.Embedded;

/// <summary>How long opening the store took, by phase: reading (and checking) the checkpoint file, parsing it into
/// the queues, replaying the log after it into the dedup index, and replaying it into the state. The bench prints
/// them so a slow recovery says which phase to look at.</summary>
public readonly record struct RecoveryTimes(TimeSpan CheckpointRead, TimeSpan Parse, TimeSpan Dedup, TimeSpan LogReplay,
    TimeSpan Total, long CheckpointBytes, long LogRecords);
