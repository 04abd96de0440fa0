using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;
using Pix.Server.Icom;
using Pix.Server.Streams;
using Pix.Storage;
using Pix.Storage.Notices;
using Pix.Storage.Quarantine;
using Pix.Storage.Senders;

namespace Pix.Server.Quarantine;

/// <summary>
/// What happens to a message that may not reach its receiver: it is stored in quarantine (by ingest, in the same
/// append as the rest of its request, together with the decision to tell its sender: an outbox entry), an audit line is
/// written and a sample kept for on-call. The admi.002 itself is built and signed off the request path by the
/// <see cref="NoticeDispatcher"/>. An isolated sender gets one notice when it is isolated and one when released, not
/// one per message: a rejection storm costs the request path no more than the checks that rejected it.
/// </summary>
internal sealed partial class QuarantineDesk(
    IQueueStore store,
    StreamEngine engine,
    NoticeDispatcher dispatcher,
    ISenderGate gate,
    AuditLog audit,
    PixMetrics metrics,
    QuarantineOptions options,
    string dataDir,
    TimeProvider clock,
    ILogger<QuarantineDesk> log)
{
    private static ReadOnlySpan<byte> NotRoutableReason => "NotRoutable"u8;
    private static ReadOnlySpan<byte> NotRoutableLocation => "/Envelope/AppHdr/To"u8;
    private static ReadOnlySpan<byte> NotRoutableText => "only the SPI (00038166) may address another participant; a PSP sends to 00038166"u8;
    private static readonly byte[] IsolatedReason = "SenderIsolated"u8.ToArray();
    private static readonly byte[] IsolatedText = "the sender is isolated after too many failing messages; everything it sends is quarantined until an operator releases it"u8.ToArray();
    private static readonly byte[] ReleasedReason = "SenderReleased"u8.ToArray();
    private static readonly byte[] ReleasedText = "an operator released the sender from isolation; its messages are delivered again"u8.ToArray();
    private readonly string _samples = Path.Combine(dataDir, "samples");
    private int _sampleCount = -1;

    public void Reject(IcomExchange exchange, int index, RejectionCause cause, in CheckResult result, in AppHeader header) =>
        exchange.Rejections[exchange.RejectionCount++] = new Rejection(index, cause, result, header);

    /// <summary>Before the request is stored: an outbox entry for each rejection (none for an isolated sender's messages),
    /// and one saying the sender is isolated when this request tipped it. Stored with the messages, all or nothing.</summary>
    public void QueueNotices(Ispb sender, IcomExchange exchange, ReadOnlyMemory<byte> body, bool newlyIsolated)
    {
        var buffer = exchange.Notices;
        buffer.ResetWrittenCount();
        // Texts are copied into one scratch buffer first and sliced after, once it stopped growing.
        var written = 0;
        for (var i = 0; i < exchange.RejectionCount; i++)
        {
            ref readonly var rejection = ref exchange.Rejections[i];
            if (rejection.Cause == RejectionCause.Isolated) continue;
            var start = buffer.WrittenCount;
            var result = rejection.Result;
            if (rejection.Cause == RejectionCause.NotRoutable)
            {
                buffer.Write(NotRoutableReason);
                buffer.Write(NotRoutableLocation);
                buffer.Write(NotRoutableText);
                exchange.NoticeRanges[written++] = new NoticeTexts(start, NotRoutableReason.Length, NotRoutableLocation.Length, NotRoutableText.Length);
            }
            else
            {
                var reason = Admi002Writer.ReasonOf(result.Failure);
                buffer.Write(reason);
                buffer.Write(result.Location);
                buffer.Write(result.Rule);
                exchange.NoticeRanges[written++] = new NoticeTexts(start, reason.Length, result.Location.Length, result.Rule.Length);
            }
        }
        var texts = buffer.WrittenMemory;
        var n = 0;
        for (var i = 0; i < exchange.RejectionCount; i++)
        {
            ref readonly var rejection = ref exchange.Rejections[i];
            if (rejection.Cause == RejectionCause.Isolated) continue;
            var header = rejection.Header;
            var xml = body[exchange.Parts[rejection.Index].Content];
            var reference = header.HasBizMsgIdr ? xml[header.BizMsgIdr] : default;
            var (reason, location, description) = exchange.NoticeRanges[n++].Slice(texts);
            exchange.Appends.AddNotice(new NoticeRequest(NoticeKind.Rejected, sender, rejection.Index, reference, reason, location, description));
        }
        if (newlyIsolated)
        {
            exchange.Appends.AddNotice(new NoticeRequest(NoticeKind.Isolated, sender, NoticeRequest.NoMessage, default, IsolatedReason, default, IsolatedText));
        }
    }

    /// <summary>After the request is stored: the dispatcher is told, and each rejection is audited and sampled.</summary>
    public void Stored(Ispb sender, IcomExchange exchange, ReadOnlyMemory<byte> body)
    {
        if (exchange.Appends.Notices.Count > 0) dispatcher.Signal();
        if (exchange.RejectionCount == 0) return;
        var now = clock.GetUtcNow();
        for (var i = 0; i < exchange.RejectionCount; i++)
        {
            ref readonly var rejection = ref exchange.Rejections[i];
            Audit(sender, exchange, body, rejection, now);
        }
    }

    /// <summary>The sender gate isolated <paramref name="sender"/> with this request: said once, logged and audited.</summary>
    public void Isolated(Ispb sender)
    {
        LogIsolated(sender.ToString(), options.IsolateAboveRatio * 100);
        audit.Add(new AuditRecord(clock.GetUtcNow(), "isolated", sender.ToString(), null, null, null, "failure ratio above the limit", null));
    }

    /// <summary>A stored message failed its checksum while a batch was assembled: it is left out of the response (and,
    /// claimed by the batch, acknowledged with it, so it is never retried), audited and counted.</summary>
    public void DamagedOnRead(Ispb receiver, in StoredMessage message)
    {
        var id = message.Id.ToString();
        LogDamaged(id, receiver.ToString());
        metrics.Quarantined("damaged");
        audit.Add(new AuditRecord(clock.GetUtcNow(), "quarantined", "unknown", receiver.ToString(), id, null, "stored bytes fail their checksum", null));
    }

    /// <summary>An operator delivers a quarantined message: it goes to its receiver under its own id, holding the dedup
    /// key its BizMsgIdr gives it (read from the stored bytes), and the decision is audited.</summary>
    public async ValueTask<QuarantineDelivery> DeliverAsync(ResourceId id, CancellationToken aborted)
    {
        if (await store.FindQuarantinedAsync(id, aborted) is not { } message) return new QuarantineDelivery(QuarantineDeliveryStatus.NotFound, default, default);
        var bytes = await store.ReadQuarantinedAsync(message.From, id, aborted);
        if (bytes is null) return new QuarantineDelivery(QuarantineDeliveryStatus.NotFound, default, default);
        MessageCheck.Check(bytes, CheckOptions.Unsigned, out var header);
        var bizMsgIdr = header.HasBizMsgIdr ? bytes.AsMemory()[header.BizMsgIdr] : default;
        var delivery = await store.DeliverQuarantinedAsync(message.From, id, bizMsgIdr, aborted);
        if (delivery.Status == QuarantineDeliveryStatus.Delivered) engine.NotifyAppended(delivery.To, 1);
        var outcome = delivery.Status switch
        {
            QuarantineDeliveryStatus.Delivered => "delivered by an operator",
            QuarantineDeliveryStatus.Duplicate => "not delivered: its receiver already has a message with the same BizMsgIdr " + delivery.Id,
            _ => "not found",
        };
        LogDelivered(id.ToString(), message.From.ToString(), delivery.To.ToString(), outcome);
        audit.Add(new AuditRecord(clock.GetUtcNow(), "released", message.From.ToString(), message.To.ToString(), id.ToString(), null, outcome, null));
        return delivery;
    }

    public async ValueTask<bool> ReleaseAsync(Ispb sender)
    {
        if (!await gate.ReleaseAsync(sender)) return false;
        var notice = new AppendBatch();
        notice.AddNotice(new NoticeRequest(NoticeKind.Released, sender, NoticeRequest.NoMessage, default, ReleasedReason, default, ReleasedText));
        await store.AppendAsync(notice);
        dispatcher.Signal();
        LogReleased(sender.ToString());
        audit.Add(new AuditRecord(clock.GetUtcNow(), "released", sender.ToString(), null, null, null, null, null));
        return true;
    }

    private void Audit(Ispb sender, IcomExchange exchange, ReadOnlyMemory<byte> body, in Rejection rejection, DateTimeOffset now)
    {
        var id = exchange.Appends.Outcomes[rejection.Index].Id.ToString();
        var header = rejection.Header;
        var result = rejection.Result;
        var cause = rejection.Cause switch
        {
            RejectionCause.NotRoutable => "not routable",
            RejectionCause.Isolated => "sender isolated",
            _ => Encoding.UTF8.GetString(result.Rule),
        };
        metrics.Quarantined(rejection.Cause switch { RejectionCause.Check => "check", RejectionCause.NotRoutable => "route", _ => "isolated" });
        audit.Add(new AuditRecord(now, "quarantined", sender.ToString(), header.HasTo ? header.To.ToString() : null, id,
            header.Type.ToString(), cause, rejection.Cause == RejectionCause.Check ? Encoding.UTF8.GetString(result.Location) : null));
        KeepSample(id, body[exchange.Parts[rejection.Index].Content].Span);
    }

    private void KeepSample(string id, ReadOnlySpan<byte> xml)
    {
        if (_sampleCount < 0)
        {
            Directory.CreateDirectory(_samples);
            _sampleCount = Directory.GetFiles(_samples).Length;
        }
        if (Interlocked.Increment(ref _sampleCount) > options.SampleLimit) return;
        try
        {
            File.WriteAllBytes(Path.Combine(_samples, id.Replace('/', '_').Replace('+', '-') + ".xml"), xml.ToArray());
        }
        catch (IOException e)
        {
            LogSampleFailed(e, _samples);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sender {Ispb} is isolated: more than {Percent} % of its messages failed; release with POST /admin/v1/quarantine/{Ispb}/release")]
    private partial void LogIsolated(string ispb, double percent);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stored message {ResourceId} for {Ispb} fails its checksum: skipped from the batch and quarantined")]
    private partial void LogDamaged(string resourceId, string ispb);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quarantined message {ResourceId} from {From} to {To}: {Outcome}")]
    private partial void LogDelivered(string resourceId, string from, string to, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sender {Ispb} was released from isolation")]
    private partial void LogReleased(string ispb);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep a quarantine sample under {Directory}")]
    private partial void LogSampleFailed(Exception e, string directory);
}
