using Pix.Protocol.Ids;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;

namespace Pix.Storage;

/// <summary>
/// The storage port: every message and every change of stream state (slots, leases, claims, acknowledgements, idle
/// deadlines) goes through it, so that stateless nodes can share one remote store and every ICOM rule holds across
/// them. Each call is one atomic step (per receiver for appends) and, for a remote store, one round trip; nothing on
/// the request path asks a question only an in-process store could answer synchronously.
/// Changes complete only once durable by the adapter's standard (embedded: fsync'd; Redis: replicated or AOF, as
/// configured; memory: never). A fault of the store is <see cref="StoreUnavailableException"/>.
/// Adapters: <c>Memory</c>, <c>Embedded</c>, <c>Redis</c>; a Cassandra one would plug in through <see cref="StoreFactory"/>.
/// </summary>
public interface IQueueStore : IAsyncDisposable
{
    /// <summary>The adapter's name, as configured (<c>memory</c>, <c>embedded</c>, <c>redis</c>).</summary>
    string Kind { get; }

    /// <summary>Whether the store can take writes now (cached, cheap): <c>/readyz</c> and the health gauge.</summary>
    StoreHealth Health { get; }

    /// <summary>Stores the batch's messages and fills <see cref="AppendBatch.Outcomes"/> (one per message, in order).
    /// All of one receiver's messages are stored or none (memory and embedded: the whole batch). A message whose
    /// (From, BizMsgIdr) went to a receiver's queue within the dedup window is not stored again: its outcome carries
    /// the original id. Quarantined messages neither hold nor consult dedup keys (a corrected resend is stored and delivered; a quarantined resend gets a new id).
    /// A receiver whose backlog is at <see cref="AppendBatch.MaxBacklog"/> takes nothing: <see cref="AppendStatus.Backlogged"/>.
    /// Retrying the same batch is safe: what was stored is found by dedup. The batch's notices are stored as outbox
    /// entries in the same step as the messages they concern (a notice naming no message, with its receiver's step).</summary>
    ValueTask<AppendStatus> AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Outbox entries not yet sent (up to <paramref name="max"/>), oldest first where the adapter can tell.</summary>
    ValueTask PendingNoticesAsync(List<PendingNotice> into, int max, CancellationToken cancellationToken = default);

    /// <summary>Stores the built notice (<paramref name="payload"/>, whose BizMsgIdr is <paramref name="bizMsgIdr"/>) in its
    /// receiver's queue and removes the outbox entry, in one step. Idempotent: false when the entry was already sent
    /// (by this node before a crash, or by another), and then nothing is stored twice.</summary>
    ValueTask<bool> DeliverNoticeAsync(PendingNotice notice, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default);

    /// <summary>Takes one of the ISPB's stream slots (its batch number is 0 until the first read), or reports that
    /// all <paramref name="maxStreams"/> are taken.</summary>
    ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, StreamTimes times, CancellationToken cancellationToken = default);

    /// <summary>
    /// One atomic step of a stream read (see <see cref="ReadMode"/>): decides whether the token is current, previous
    /// or stale, acknowledges, claims up to <see cref="ReadRequest.Max"/> unclaimed messages in queue order (released
    /// claims first) into an empty batch, and returns the batch with its payloads in <paramref name="into"/>. A current
    /// batch that is empty and holds nothing accepts any token at or above its number (empty cycles need not be
    /// durable). Every call pushes the stream's idle deadline to now + <see cref="StreamTimes.IdleMilliseconds"/>.
    /// </summary>
    ValueTask<StreamReadResult> ReadAsync(ReadRequest request, MessageBatch into, CancellationToken cancellationToken = default);

    /// <summary>Closes a stream on the token of its current batch (acknowledging it) or of the previous one (the batch
    /// goes back to the head of the queue, to be delivered again under the same ids). Busy while another request
    /// holds the lease; gone for other tokens and unknown streams.</summary>
    ValueTask<CloseResult> CloseStreamAsync(CloseRequest request, CancellationToken cancellationToken = default);

    /// <summary>Closes every stream whose idle deadline passed and that no live lease holds, putting its batch back;
    /// safe to call from every node at once (each stream expires once). Adds what it closed to <paramref name="expired"/>.</summary>
    ValueTask ExpireIdleAsync(List<ExpiredStream> expired, CancellationToken cancellationToken = default);

    /// <summary>Quarantined messages of <paramref name="from"/> stored at or after <paramref name="sinceUnixMs"/>, oldest
    /// first, up to <paramref name="max"/> (the operator's view; kept for the quarantine retention, within a quota).</summary>
    ValueTask ListQuarantinedAsync(Ispb from, long sinceUnixMs, int max, List<QuarantinedMessage> into, CancellationToken cancellationToken = default);

    /// <summary>A quarantined message by its id, whoever sent it; null when none is kept.</summary>
    ValueTask<QuarantinedMessage?> FindQuarantinedAsync(ResourceId id, CancellationToken cancellationToken = default);

    /// <summary>The stored bytes of a quarantined message of <paramref name="from"/>; null when none is kept.</summary>
    ValueTask<byte[]?> ReadQuarantinedAsync(Ispb from, ResourceId id, CancellationToken cancellationToken = default);

    /// <summary>Puts a quarantined message into its receiver's queue under its own id (an operator's decision), where it
    /// then holds its dedup key (<paramref name="bizMsgIdr"/>, empty for none), and takes it out of quarantine. Safe to
    /// repeat: a second call finds it delivered (duplicate) or gone.</summary>
    ValueTask<QuarantineDelivery> DeliverQuarantinedAsync(Ispb from, ResourceId id, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default);

    /// <summary>Every ISPB that has a queue or streams (operator views and per-participant metrics).</summary>
    ValueTask<IReadOnlyList<Ispb>> ParticipantsAsync(CancellationToken cancellationToken = default);

    /// <summary>Queue depth, oldest unacknowledged age and open streams of one ISPB (operator view).</summary>
    ValueTask<QueueStats> StatsAsync(Ispb ispb, CancellationToken cancellationToken = default);
}
