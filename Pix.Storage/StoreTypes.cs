using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>The answer to opening a stream.</summary>
public readonly record struct OpenResult(bool Opened, ulong StreamId)
{
    public static OpenResult Full => new(false, 0);
}

/// <summary>Where a stream stands: the number of its current (last delivered) batch and how many messages it holds.</summary>
public readonly record struct StreamPosition(uint Batch, int Claimed);

/// <summary>What <see cref="IQueueStore.ClaimAsync"/> should do; see there.</summary>
public readonly record struct ClaimRequest(Ispb Ispb, ulong StreamId, uint Batch, bool AcknowledgePrevious, int Max);

public enum ClaimStatus : byte
{
    /// <summary>The batch is in the <see cref="MessageBatch"/> (maybe empty: nothing to deliver yet).</summary>
    Ok = 0,
    /// <summary>The stream does not exist (closed, expired, unknown).</summary>
    Gone = 1,
    /// <summary>The stream exists but is not at the batch the request expects (a superseded token).</summary>
    Stale = 2,
}

/// <summary>A stored message as the queue knows it: enough to write it out without another look-up.</summary>
public readonly record struct StoredMessage(ResourceId Id, long Sequence, long Position, int Length, long StoredAtUnixMs);

/// <summary>The operator's view of one ISPB's queue.</summary>
public readonly record struct QueueStats(long Depth, long Unacknowledged, long OldestUnacknowledgedAgeMs, int OpenStreams);

/// <summary>Storage cannot take writes now (disk full, directory not writable, backend down); nothing was stored.</summary>
public sealed class StoreUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner);
