using System.Diagnostics;
using Pix.Protocol.Ids;
using Pix.Storage;

namespace Pix.Server.Telemetry;

/// <summary>
/// Puts a span around each store operation that changes state (append with its fsync, open, claim, close) when it
/// runs under a sampled Pix request; otherwise it hands the call straight through, without an await or an allocation.
/// A claim that finds nothing marks the start of a long-poll wait on the request span (see <see cref="PixTracing.EndLongPoll"/>).
/// </summary>
internal sealed class TracingQueueStore(IQueueStore inner) : IQueueStore
{
    public IQueueStore Inner => inner;

    public string Kind => inner.Kind;

    public ValueTask AppendAsync(AppendBatch batch, CancellationToken cancellationToken = default)
    {
        var span = PixTracing.StartOperation("store.append");
        if (span is null) return inner.AppendAsync(batch, cancellationToken);
        span.SetTag("pix.store", inner.Kind);
        span.SetTag("pix.messages", batch.Count);
        return Traced(span, inner.AppendAsync(batch, cancellationToken));
    }

    public ValueTask<OpenResult> OpenStreamAsync(Ispb ispb, int maxStreams, CancellationToken cancellationToken = default)
    {
        var span = PixTracing.StartOperation("store.open_stream");
        return span is null ? inner.OpenStreamAsync(ispb, maxStreams, cancellationToken) : Traced(span, inner.OpenStreamAsync(ispb, maxStreams, cancellationToken));
    }

    public bool TryGetStream(Ispb ispb, ulong streamId, out StreamPosition position) => inner.TryGetStream(ispb, streamId, out position);

    public ValueTask<ClaimStatus> ClaimAsync(ClaimRequest request, MessageBatch into, CancellationToken cancellationToken = default)
    {
        if (Activity.Current is { } current && ReferenceEquals(current.Source, PixTracing.Source)) PixTracing.EndLongPoll(current);
        var span = PixTracing.StartOperation("store.claim");
        if (span is null) return inner.ClaimAsync(request, into, cancellationToken);
        return TracedClaim(span, inner.ClaimAsync(request, into, cancellationToken), into);
    }

    public ValueTask<bool> CloseStreamAsync(Ispb ispb, ulong streamId, bool acknowledge, CancellationToken cancellationToken = default)
    {
        var span = PixTracing.StartOperation("store.close_stream");
        return span is null ? inner.CloseStreamAsync(ispb, streamId, acknowledge, cancellationToken) : Traced(span, inner.CloseStreamAsync(ispb, streamId, acknowledge, cancellationToken));
    }

    public bool TryReadPayload(in StoredMessage message, Span<byte> destination) => inner.TryReadPayload(message, destination);

    public IReadOnlyList<(Ispb Ispb, ulong StreamId)> OpenStreams() => inner.OpenStreams();

    public long Backlog(Ispb ispb) => inner.Backlog(ispb);

    public IReadOnlyList<Ispb> Participants() => inner.Participants();

    public QueueStats Stats(Ispb ispb) => inner.Stats(ispb);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static async ValueTask Traced(Activity span, ValueTask operation)
    {
        try
        {
            await operation.ConfigureAwait(false);
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

    private static async ValueTask<ClaimStatus> TracedClaim(Activity span, ValueTask<ClaimStatus> operation, MessageBatch into)
    {
        var status = await Traced(span, operation).ConfigureAwait(false);
        span.SetTag("pix.messages", into.Count);
        // Nothing to deliver: unless the poll is over, the engine parks it now. The wait ends at the next claim or the answer.
        if (into.Count == 0 && span.Parent is { } request && !request.IsStopped) request.SetCustomProperty(PixTracing.PollFromProperty, DateTime.UtcNow);
        return status;
    }
}
