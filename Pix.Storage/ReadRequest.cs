using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>
/// One round trip of a stream read; see <see cref="IQueueStore.ReadAsync"/>. <see cref="Lease"/> is a value unique to
/// the HTTP request (its fencing value): while a parked request holds the stream's lease, other requests on the
/// stream are <see cref="ReadStatus.Busy"/>, and the idle reaper leaves the stream alone.
/// </summary>
public readonly record struct ReadRequest(
    Ispb Ispb,
    ulong StreamId,
    uint Batch,
    ReadMode Mode,
    int Max,
    ulong Lease,
    StreamTimes Times);

public enum ReadMode : byte
{
    /// <summary>The first step of a request bearing the token of batch <see cref="ReadRequest.Batch"/> (0 for
    /// <c>stream/start</c>): the current batch is acknowledged and a new one claimed; the previous batch's token
    /// repeats the current batch; any other token is gone. An empty result leaves the lease held.</summary>
    Advance = 0,
    /// <summary>A parked request, holding the lease, tries again to fill the (empty) batch it advanced to; an empty
    /// result keeps the lease.</summary>
    Fill = 1,
    /// <summary>The last try of a parked request: fill if anything is there, then let go of the lease either way.</summary>
    FillAndRelease = 2,
    /// <summary>The request's client left: let go of the lease, claim nothing.</summary>
    Release = 3,
}

/// <summary>How long a request's lease lasts (the long poll plus a margin) and how long an unused stream lives.</summary>
public readonly record struct StreamTimes(int LeaseMilliseconds, int IdleMilliseconds);
