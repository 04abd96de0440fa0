using System.Diagnostics;
using Pix.Protocol.Ids;
using Pix.Storage;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;

namespace Pix.Server.Telemetry;

/// <summary>
/// Puts a span around each store call of a request (append with its fsync or replica wait, open, read, close) when it
/// runs under a sampled Pix request; otherwise it hands the call straight through, without an await or an allocation.
/// A read that comes back empty marks the start of a long-poll wait on the request span (see <see cref="PixTracing.EndLongPoll"/>).
/// It forwards <see cref="IAppendFeed"/> when the store has one, so the engine still hears other nodes' appends.
/// Calls made off the request path (the notice outbox, the sweeper, operator routes) pass straight through: a new
/// port method needs one more line here.
/// </summary>
internal sealed class TracingQueueStore(IQueueStore inner) : IQueueStore, IAppendFeed
{
    public IQueueStore Inner => inner;

    public string Kind => inner.Kind;

    public StoreHealth Health => inner.Health;

    public ValueTask<AppendStatus> AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        var span = PixTracing.StartOperation("store.append");
        if (span is null) return inner.AppendAsync(batch, cancellationToken);
        span.SetTag("pix.store", inner.Kind);
        span.SetTag("pix.messages", batch.Count);
        return Traced(span, inner.AppendAsync(batch, cancellationToken));
    }

    public ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, StreamTimes times, CancellationToken cancellationToken = default)
    {
        var span = PixTracing.StartOperation("store.open_stream");
        return span is null ? inner.OpenStreamAsync(ispb, maxStreams, times, cancellationToken) : Traced(span, inner.OpenStreamAsync(ispb, maxStreams, times, cancellationToken));
    }

    public ValueTask<StreamReadResult> ReadAsync(ReadRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        if (Activity.Current is { } current && ReferenceEquals(current.Source, PixTracing.Source)) PixTracing.EndLongPoll(current);
        var span = PixTracing.StartOperation("store.read");
        if (span is null) return inner.ReadAsync(request, into, cancellationToken);
        span.SetTag("pix.read.mode", ModeName(request.Mode));
        return TracedRead(span, inner.ReadAsync(request, into, cancellationToken), into);
    }

    public ValueTask<CloseResult> CloseStreamAsync(CloseRequest request, CancellationToken cancellationToken = default)
    {
        var span = PixTracing.StartOperation("store.close_stream");
        return span is null ? inner.CloseStreamAsync(request, cancellationToken) : Traced(span, inner.CloseStreamAsync(request, cancellationToken));
    }

    // The notice outbox is sent off the request path (NoticeDispatcher): no request span to hang these under.
    public ValueTask PendingNoticesAsync(List<PendingNotice> into, int max, CancellationToken cancellationToken = default) =>
        inner.PendingNoticesAsync(into, max, cancellationToken);

    public ValueTask<bool> DeliverNoticeAsync(PendingNotice notice, ReadOnlyMemory<byte> payload, ReadOnlyMemory<byte> bizMsgIdr,
        CancellationToken cancellationToken = default) => inner.DeliverNoticeAsync(notice, payload, bizMsgIdr, cancellationToken);

    // Operator routes, not ICOM requests: passed through.
    public ValueTask ListQuarantinedAsync(Ispb from, long sinceUnixMs, int max, List<QuarantinedMessage> into, CancellationToken cancellationToken = default) =>
        inner.ListQuarantinedAsync(from, sinceUnixMs, max, into, cancellationToken);

    public ValueTask<QuarantinedMessage?> FindQuarantinedAsync(ResourceId id, CancellationToken cancellationToken = default) =>
        inner.FindQuarantinedAsync(id, cancellationToken);

    public ValueTask<byte[]?> ReadQuarantinedAsync(Ispb from, ResourceId id, CancellationToken cancellationToken = default) =>
        inner.ReadQuarantinedAsync(from, id, cancellationToken);

    public ValueTask<QuarantineDelivery> DeliverQuarantinedAsync(Ispb from, ResourceId id, ReadOnlyMemory<byte> bizMsgIdr, CancellationToken cancellationToken = default) =>
        inner.DeliverQuarantinedAsync(from, id, bizMsgIdr, cancellationToken);

    public ValueTask ExpireIdleAsync(List<ExpiredStream> expired, CancellationToken cancellationToken = default) =>
        inner.ExpireIdleAsync(expired, cancellationToken);

    public ValueTask<IReadOnlyList<Ispb>> ParticipantsAsync(CancellationToken cancellationToken = default) => inner.ParticipantsAsync(cancellationToken);

    public ValueTask<QueueStats> StatsAsync(Ispb ispb, CancellationToken cancellationToken = default) => inner.StatsAsync(ispb, cancellationToken);

    public void Watch(Ispb ispb, Action<Ispb, int> appended) => (inner as IAppendFeed)?.Watch(ispb, appended);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static string ModeName(ReadMode mode) => mode switch
    {
        ReadMode.Advance => "advance",
        ReadMode.Fill => "fill",
        ReadMode.FillAndRelease => "fill_and_release",
        _ => "release",
    };

    private static async ValueTask<T> Traced<T>(Activity span, ValueTask<T> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            span.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            span.Dispose();
        }
    }

    private static async ValueTask<StreamReadResult> TracedRead(Activity span, ValueTask<StreamReadResult> operation, MessageBatch into)
    {
        var result = await Traced(span, operation).ConfigureAwait(false);
        span.SetTag("pix.messages", into.Count);
        // Nothing to deliver: unless the poll is over, the engine parks it now. The wait ends at the next read.
        if (into.Count == 0 && span.Parent is { } request && !request.IsStopped) request.SetCustomProperty(PixTracing.PollFromProperty, DateTime.UtcNow);
        return result;
    }
}
