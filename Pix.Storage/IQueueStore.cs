using Pix.Protocol.Ids;

namespace Pix.Storage;

/// <summary>
/// The storage port the server talks to: every message and every change of stream state (slots, claims,
/// acknowledgements) goes through it. Operations that change state complete only once the change is durable by
/// the adapter's standard (embedded: fsync'd; memory: never). Adapters: <c>Memory</c>, <c>Embedded</c> (a Redis or Cassandra one plugs in through <c>StoreFactory</c>).
/// </summary>
public interface IQueueStore : IAsyncDisposable
{
    /// <summary>The adapter's name, as configured (<c>memory</c>, <c>embedded</c>, <c>redis</c>).</summary>
    string Kind { get; }

    /// <summary>Stores every message of the batch, all or nothing, and fills <see cref="AppendBatch.Outcomes"/>.
    /// A message whose (From, BizMsgIdr) was stored within the dedup window is not stored again: its outcome carries
    /// the original id. Throws <see cref="StoreUnavailableException"/> when nothing could be stored.</summary>
    ValueTask AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Takes one of the ISPB's stream slots, or reports that all <paramref name="maxStreams"/> are taken.</summary>
    ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, CancellationToken cancellationToken = default);

    /// <summary>The stream's current batch number, or false when the stream does not exist (closed, expired, never was).</summary>
    bool TryGetStream(Ispb ispb, ulong streamId, out StreamPosition position);

    /// <summary>
    /// Fills <paramref name="into"/> with the stream's batch number <see cref="ClaimRequest.Batch"/>.
    /// With <see cref="ClaimRequest.AcknowledgePrevious"/>, the stream's current batch must be <c>Batch - 1</c>: it
    /// is acknowledged (never delivered again) and a new, empty batch begins. Then, if the batch holds messages they
    /// are returned as they are (a repeated read); if it is empty, up to <see cref="ClaimRequest.Max"/> unclaimed
    /// messages are claimed into it in queue order (released claims first).
    /// </summary>
    ValueTask<ClaimStatus> ClaimAsync(ClaimRequest request, MessageBatch into, CancellationToken cancellationToken = default);

    /// <summary>Closes the stream and frees its slot. With <paramref name="acknowledge"/> its current batch is
    /// acknowledged; without, the batch goes back to the head of the queue to be delivered again under the same ids.</summary>
    ValueTask<bool> CloseStreamAsync(Ispb ispb, ulong streamId, bool acknowledge, CancellationToken cancellationToken = default);

    /// <summary>Copies the stored bytes of a message (exactly <see cref="StoredMessage.Length"/> bytes) and checks them
    /// against their stored checksum: false when they are damaged (the caller skips the message and quarantines it).</summary>
    bool TryReadPayload(in StoredMessage message, Span<byte> destination);

    /// <summary>Every open stream, so the server can time out idle ones after a restart.</summary>
    IReadOnlyList<(Ispb Ispb, ulong StreamId)> OpenStreams();

    /// <summary>How many messages for the ISPB are stored and not yet acknowledged: cheap, read on every ingest for
    /// back-pressure (a moment stale at most).</summary>
    long Backlog(Ispb ispb);

    /// <summary>Every ISPB that has a queue (operator views and per-participant metrics).</summary>
    IReadOnlyList<Ispb> Participants();

    /// <summary>Queue depth, oldest unacknowledged age and open streams of one ISPB (operator view).</summary>
    QueueStats Stats(Ispb ispb);
}
