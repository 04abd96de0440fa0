using System.Runtime.CompilerServices;
using Pix.Protocol.Ids;
using Pix.Protocol.Media;
using Pix.Protocol.Multipart;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Protocol.Xml;
using Pix.Server.Health;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Quarantine;
using Pix.Server.Streams;
using Pix.Server.Telemetry;
using Pix.Storage;

namespace Pix.Server.Ingest;

/// <summary>
/// POST <c>/api/v1/in/{ispb}/msgs</c>: unframes the body (gzip, single XML or multipart), checks every message,
/// and stores all of them or none. A message that fails its checks is still stored (201, as ICOM does) but in
/// quarantine, and its sender is told why through <see cref="QuarantineDesk"/>.
/// </summary>
internal sealed class IngestEndpoint(
    IQueueStore store,
    StreamEngine engine,
    SenderRateLimiter limiter,
    QuarantineDesk quarantine,
    Gzip gzip,
    IngestOptions options,
    ProblemResponder problems,
    PixMetrics metrics,
    StorageHealth storage)
{
    private readonly CheckOptions _check = new() { RequireSignature = options.RequireSignature };

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a per-thread cache instead of a new allocation. Each ValueTask is awaited once, as pooling requires.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask HandleAsync(HttpRequest request, HttpResponse response, IcomRoute route, IcomExchange exchange)
    {
        if (!request.HasBodyFraming)
        {
            problems.Write(response, Problem.LengthRequired, "Send Content-Length or Transfer-Encoding: chunked."u8);
            return;
        }
        ReadOnlyMemory<byte> body;
        int count;
        using (PixTracing.StartChild("ingest.body"))
        {
            if (!TryDecode(request, response, exchange, out body)) return;
            count = Split(request, response, body.Span, exchange);
            if (count == 0) return;
        }
        double cost;
        using (PixTracing.StartChild("ingest.check"))
        {
            if (!Admit(response, route.Ispb, body, exchange, count, out cost)) return;
        }
        if (ReceiverLags(exchange))
        {
            metrics.Throttled("backlog");
            problems.Write(response, Problem.TooManyRequests, "A receiver's backlog is over the limit: its streams must catch up first."u8, BacklogRetryAfterSeconds);
            return;
        }
        if (!limiter.TryTake(route.Ispb, cost, out var retryAfter))
        {
            metrics.Throttled("bucket");
            problems.Write(response, Problem.TooManyRequests, "The sender's token bucket is empty."u8, retryAfter);
            return;
        }

        try
        {
            var appending = metrics.Start();
            await store.AppendAsync(exchange.Appends);
            metrics.Appended(appending);
            storage.WriteSucceeded();
            await NoticesAsync(route.Ispb, exchange, body);
        }
        catch (StoreUnavailableException e)
        {
            storage.WriteFailed(e.Message);
            problems.Write(response, Problem.ServiceUnavailable, "Storage cannot take writes now; nothing was stored."u8, options.UnavailableRetryAfterSeconds);
            return;
        }

        var messages = exchange.Appends.Messages;
        var outcomes = exchange.Appends.Outcomes;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Disposition == Disposition.Deliver && !outcomes[i].Duplicate) engine.NotifyAppended(messages[i].To, 1);
        }
        WriteCreated(response, exchange, count);
    }

    private ValueTask NoticesAsync(Ispb sender, IcomExchange exchange, ReadOnlyMemory<byte> body)
    {
        // Only a sampled request with rejections gets a span: the common case stays a plain call.
        if (exchange.RejectionCount == 0 || PixTracing.StartOperation("ingest.notices") is not { } span) return quarantine.NoticeAsync(sender, exchange, body);
        return TracedNoticesAsync(span, sender, exchange, body);
    }

    private async ValueTask TracedNoticesAsync(System.Diagnostics.Activity span, Ispb sender, IcomExchange exchange, ReadOnlyMemory<byte> body)
    {
        using (span) await quarantine.NoticeAsync(sender, exchange, body);
    }

    private bool TryDecode(HttpRequest request, HttpResponse response, IcomExchange exchange, out ReadOnlyMemory<byte> body)
    {
        body = request.Body;
        var encoding = request.Header(KnownHeader.ContentEncoding).Trim(" \t"u8);
        if (encoding.IsEmpty || encoding.EqualsIgnoreCase("identity"u8))
        {
            if (body.Length <= options.MaxBodyBytes) return true;
            problems.Write(response, Problem.PayloadTooLarge, "The body is over the limit."u8);
            return false;
        }
        if (!encoding.EqualsIgnoreCase("gzip"u8))
        {
            problems.Write(response, Problem.UnsupportedMediaType, "Content-Encoding must be gzip or absent."u8);
            return false;
        }
        switch (gzip.Inflate(body, exchange.Inflated, options.MaxBodyBytes))
        {
            case Gzip.InflateResult.Ok:
                body = exchange.Inflated.WrittenMemory;
                return true;
            case Gzip.InflateResult.TooLarge:
                problems.Write(response, Problem.PayloadTooLarge, "The body inflates past the limit."u8);
                return false;
            default:
                problems.Write(response, Problem.BadRequest, "The gzip body is broken."u8);
                return false;
        }
    }

    /// <summary>Fills exchange.Parts with the XML messages of the body; 0 when it answered an error.</summary>
    private int Split(HttpRequest request, HttpResponse response, ReadOnlySpan<byte> body, IcomExchange exchange)
    {
        var contentType = request.Header(KnownHeader.ContentType);
        var media = MediaNegotiation.MediaType(contentType);
        if (media.EqualsIgnoreCase("application/xml"u8))
        {
            if (!MediaNegotiation.CharsetIsUtf8OrAbsent(contentType))
            {
                problems.Write(response, Problem.Charset, "The charset must be utf-8."u8);
                return 0;
            }
            if (body.IsEmpty)
            {
                problems.Write(response, Problem.BadRequest, "The body is empty."u8);
                return 0;
            }
            exchange.Parts[0] = new MultipartPart(Range.All);
            return 1;
        }
        if (!media.EqualsIgnoreCase("multipart/mixed"u8))
        {
            problems.Write(response, Problem.UnsupportedMediaType, "Content-Type must be application/xml or multipart/mixed."u8);
            return 0;
        }
        var boundary = MediaNegotiation.Parameter(contentType, "boundary"u8);
        var status = MultipartReader.Read(body, boundary, exchange.Parts.AsSpan(0, MessageBatch.Capacity), out var count);
        switch (status)
        {
            case MultipartStatus.Ok:
                return count;
            case MultipartStatus.TooManyParts:
                problems.Write(response, Problem.BadRequest, "A multipart body holds at most 10 messages."u8);
                return 0;
            case MultipartStatus.Empty:
                problems.Write(response, Problem.BadRequest, "The multipart body has no part."u8);
                return 0;
            case MultipartStatus.PartNotXml:
                problems.Write(response, Problem.BadRequest, "Every part must be Content-Type: application/xml."u8);
                return 0;
            case MultipartStatus.PartCharset:
                problems.Write(response, Problem.Charset, "A part's charset must be utf-8."u8);
                return 0;
            default:
                problems.Write(response, Problem.BadRequest, "The multipart body is malformed (boundary, delimiters or part headers)."u8);
                return 0;
        }
    }

    /// <summary>Checks each message and queues it for storing (deliver or quarantine); false when it answered an error.</summary>
    private bool Admit(HttpResponse response, Ispb sender, ReadOnlyMemory<byte> body, IcomExchange exchange, int count, out double cost)
    {
        cost = 0;
        for (var i = 0; i < count; i++)
        {
            var xml = body[exchange.Parts[i].Content];
            var result = MessageCheck.Check(xml.Span, _check, out var header);
            if (result.IsCharsetError)
            {
                problems.Write(response, Problem.Charset, "A message is not valid UTF-8."u8);
                return false;
            }
            if (header.HasFrom && header.From != sender)
            {
                problems.Write(response, Problem.Forbidden, "AppHdr/Fr does not match the ISPB of the path."u8);
                return false;
            }
            var bizMsgIdr = header.HasBizMsgIdr ? xml[header.BizMsgIdr] : default;
            var to = header.HasTo ? header.To : sender;
            var cause = !result.Ok ? RejectionCause.Check
                : quarantine.IsIsolated(sender) ? RejectionCause.Isolated
                : sender != Ispb.Spi && to != Ispb.Spi ? RejectionCause.NotRoutable
                : (RejectionCause?)null;
            var deliver = cause is null;
            if (!deliver) quarantine.Reject(exchange, i, cause!.Value, result, header);
            exchange.Appends.Add(new IncomingMessage(to, sender, bizMsgIdr, xml, deliver ? Disposition.Deliver : Disposition.Quarantine));
            cost += header.Type == MessageType.Pacs002 ? limiter.Options.CostPerPacs002 : limiter.Options.CostPerMessage;
        }
        return true;
    }

    private const int BacklogRetryAfterSeconds = 1;

    private bool ReceiverLags(IcomExchange exchange)
    {
        // An index loop: foreach over the IReadOnlyList would box its enumerator on every request.
        var messages = exchange.Appends.Messages;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Disposition == Disposition.Deliver && store.Backlog(message.To) >= options.MaxBacklog) return true;
        }
        return false;
    }

    private static void WriteCreated(HttpResponse response, IcomExchange exchange, int count)
    {
        response.Start(201);
        Span<byte> ids = stackalloc byte[MessageBatch.Capacity * (ResourceId.TextLength + 1)];
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            if (i > 0) ids[length++] = (byte)',';
            exchange.Appends.Outcomes[i].Id.WriteText(ids[length..]);
            length += ResourceId.TextLength;
        }
        response.Header("PI-ResourceId"u8, ids[..length]);
        response.EndHeaders(0);
    }
}
