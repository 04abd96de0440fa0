using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Pix.Protocol.Ids;
using Pix.Protocol.Xml;
using Pix.Server.Icom;
using Pix.Server.Streams;
using Pix.Storage;
using Pix.Storage.Senders;

namespace Pix.Server.Quarantine;

/// <summary>
/// What happens to a message that may not reach its receiver: it is stored in quarantine (by ingest, in the same
/// append as the rest of its request), its sender receives an admi.002 on its own stream naming the rule and where
/// it broke, an audit line is written, a sample is kept for on-call, and senders failing too often are isolated.
/// </summary>
internal sealed partial class QuarantineDesk(
    IQueueStore store,
    StreamEngine engine,
    ISenderGate gate,
    AuditLog audit,
    PixMetrics metrics,
    QuarantineOptions options,
    string dataDir,
    TimeProvider clock,
    IMessageSigner? signer,
    ILogger<QuarantineDesk> log)
{
    private readonly string _samples = Path.Combine(dataDir, "samples");
    private int _sampleCount = -1;

    public void Reject(IcomExchange exchange, int index, RejectionCause cause, in CheckResult result, in AppHeader header) =>
        exchange.Rejections[exchange.RejectionCount++] = new Rejection(index, cause, result, header);

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a per-thread cache instead of a new allocation. Each ValueTask is awaited once, as pooling requires.
    /// <summary>After the request's messages are stored: sends the admi.002 notices (durably, before the 201), then
    /// audits. A duplicate of an already quarantined message gets no second notice.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask NoticeAsync(Ispb sender, IcomExchange exchange, ReadOnlyMemory<byte> body)
    {
        if (exchange.RejectionCount == 0) return;

        var notices = exchange.NoticeAppends;
        notices.Clear();
        var buffer = exchange.Notices;
        buffer.ResetWrittenCount();
        var now = clock.GetUtcNow();
        var written = 0;
        for (var i = 0; i < exchange.RejectionCount; i++)
        {
            ref readonly var rejection = ref exchange.Rejections[i];
            var outcome = exchange.Appends.Outcomes[rejection.Index];
            if (outcome.Duplicate) continue;
            var start = buffer.WrittenCount;
            WriteNotice(buffer, sender, rejection, outcome.Id, body[exchange.Parts[rejection.Index].Content].Span, now);
            exchange.NoticeRanges[written++] = new Range(start, buffer.WrittenCount);
        }
        // Slices are taken once the buffer stopped growing.
        for (var i = 0; i < written; i++)
        {
            var notice = buffer.WrittenMemory[exchange.NoticeRanges[i]];
            notices.Add(new IncomingMessage(sender, Ispb.Spi, default, notice, Disposition.Deliver));
        }
        if (notices.Count > 0)
        {
            await store.AppendAsync(notices);
            engine.NotifyAppended(sender, notices.Count);
        }

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

    public async ValueTask<bool> ReleaseAsync(Ispb sender)
    {
        if (!await gate.ReleaseAsync(sender)) return false;
        LogReleased(sender.ToString());
        audit.Add(new AuditRecord(clock.GetUtcNow(), "released", sender.ToString(), null, null, null, null, null));
        return true;
    }

    private void WriteNotice(System.Buffers.IBufferWriter<byte> output, Ispb sender, in Rejection rejection, ResourceId id, ReadOnlySpan<byte> xml, DateTimeOffset now)
    {
        Span<byte> idText = stackalloc byte[ResourceId.TextLength];
        id.WriteText(idText);
        var header = rejection.Header;
        var result = rejection.Result;
        var reference = header.HasBizMsgIdr ? xml[header.BizMsgIdr] : idText;
        var reject = rejection.Cause switch
        {
            RejectionCause.NotRoutable => new Admi002Reject
            {
                To = sender,
                RelatedReference = reference,
                Reason = "NotRoutable"u8,
                ErrorLocation = "/Envelope/AppHdr/To"u8,
                Description = "only the SPI (00038166) may address another participant; a PSP sends to 00038166"u8,
                RejectedAt = now.UtcDateTime,
            },
            RejectionCause.Isolated => new Admi002Reject
            {
                To = sender,
                RelatedReference = reference,
                Reason = "SenderIsolated"u8,
                Description = "the sender is isolated after too many failing messages; an operator must release it"u8,
                RejectedAt = now.UtcDateTime,
            },
            _ => new Admi002Reject
            {
                To = sender,
                RelatedReference = reference,
                Reason = Admi002Writer.ReasonOf(result.Failure),
                ErrorLocation = result.Location,
                Description = result.Rule,
                RejectedAt = now.UtcDateTime,
            },
        };
        Admi002Writer.Write(output, reject, signer);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Sender {Ispb} was released from isolation")]
    private partial void LogReleased(string ispb);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep a quarantine sample under {Directory}")]
    private partial void LogSampleFailed(Exception e, string directory);
}
