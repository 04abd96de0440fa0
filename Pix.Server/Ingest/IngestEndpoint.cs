using System.Runtime.CompilerServices;
using Pix.Protocol.Ids;
using Pix.Protocol.Media;
using Pix.Protocol.Multipart;
using Pix.Protocol.Problems;
using Pix.Protocol.Routing;
using Pix.Protocol.Signatures;
using Pix.Protocol.Xml;
using Pix.Storage.Async;
using Pix.Server.Http;
using Pix.Server.Icom;
using Pix.Server.Identity;
using Pix.Server.Quarantine;
using Pix.Server.Streams;
using Pix.Server.Telemetry;
using Pix.Storage;
using Pix.Storage.Senders;

namespace Pix.Server.Ingest;

/// <summary>
/// POST <c>/api/v1/in/{ispb}/msgs</c>: unframes the body (gzip, single XML or multipart), checks every message,
/// and stores all of them or none. A message that fails its checks is still stored (201, as ICOM does) but in
/// quarantine, and its sender is told why through <see cref="QuarantineDesk"/>.
/// </summary>
internal sealed class IngestEndpoint(
    IcomAccess access,
    IQueueStore store,
    StreamEngine engine,
    ISenderGate gate,
    RateLimitOptions costs,
    QuarantineDesk quarantine,
    Gzip gzip,
    IngestOptions options,
    ProblemResponder problems,
    PixMetrics metrics)
{
    private readonly CheckOptions _check = new() { RequireSignature = options.RequireSignature };

    // Pooled boxes: when the request truly suspends (a parked long poll, an fsync wait) its state machine
    // comes from a pool shared by every thread (SharedPoolingBuilder). Each ValueTask is awaited once, as pooling requires.
    [AsyncMethodBuilder(typeof(SharedPoolingBuilder))]
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
        int failures;
        using (PixTracing.StartChild("ingest.check"))
        {
            if (!Check(request, response, route.Ispb, body, exchange, count, out cost, out failures)) return;
        }

        exchange.Appends.MaxBacklog = options.MaxBacklog;
        SenderDecision decision;
        try
        {
            // One step takes the sender's tokens and counts its failures, shared by every node.
            decision = await gate.AdmitAsync(route.Ispb, cost, count, failures);
            if (!decision.Admitted)
            {
                metrics.Throttled("bucket");
                problems.Write(response, Problem.TooManyRequests, "The sender's token bucket is empty."u8, decision.RetryAfterSeconds);
                return;
            }
            Route(route.Ispb, body, exchange, count, decision.Isolated);
            // The admi.002 decisions go into the same append as the messages; a dispatcher sends them later.
            using (exchange.RejectionCount > 0 || decision.NewlyIsolated ? PixTracing.StartChild("ingest.notices") : null)
            {
                quarantine.QueueNotices(route.Ispb, exchange, body, decision.NewlyIsolated);
            }
            var appending = metrics.Start();
            var appended = await store.AppendAsync(exchange.Appends);
            metrics.Appended(appending);
            if (appended == AppendStatus.Backlogged)
            {
                // Whatever went to other receivers is stored; the client's resend of the whole request is answered
                // from dedup for those.
                metrics.Throttled("backlog");
                problems.Write(response, Problem.TooManyRequests, "A receiver's backlog is over the limit: its streams must catch up first."u8, BacklogRetryAfterSeconds);
                return;
            }
        }
        catch (StoreUnavailableException)
        {
            problems.Write(response, Problem.ServiceUnavailable, "Storage cannot take writes now; nothing was stored."u8, options.UnavailableRetryAfterSeconds);
            return;
        }
        quarantine.Stored(route.Ispb, exchange, body);
        if (decision.NewlyIsolated) quarantine.Isolated(route.Ispb);

        var messages = exchange.Appends.Messages;
        var outcomes = exchange.Appends.Outcomes;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Disposition == Disposition.Deliver && !outcomes[i].Duplicate) engine.NotifyAppended(messages[i].To, 1);
        }
        WriteCreated(response, exchange, count);
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

    /// <summary>Checks each message; false when it answered an error (nothing of the request is stored then).</summary>
    private bool Check(HttpRequest request, HttpResponse response, Ispb sender, ReadOnlyMemory<byte> body, IcomExchange exchange, int count,
        out double cost, out int failures)
    {
        cost = 0;
        failures = 0;
        for (var i = 0; i < count; i++)
        {
            var xml = body[exchange.Parts[i].Content].Span;
            var result = MessageCheck.Check(xml, _check, out var header);
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
            // With a registry only listed participants exist: the SPI may not create a queue for any other ISPB.
            if (sender == Ispb.Spi && header.HasTo && !access.IsRegistered(header.To))
            {
                problems.Write(response, Problem.Forbidden, "AppHdr/To names an ISPB that is not a registered participant."u8);
                return false;
            }
            // Verified against the sender's certificate (the registry's, else the caller's own): a failure is a check
            // failure like any other (201, quarantine, admi.002, audit), never an error of the request.
            if (result.Ok && _check.RequireSignature) result = VerifySignature(xml, access.Signers(request, sender));
            exchange.Checked[i] = new CheckedPart(result, header);
            if (!result.Ok || NotRoutable(sender, header)) failures++;
            cost += header.Type == MessageType.Pacs002 ? costs.CostPerPacs002 : costs.CostPerMessage;
        }
        return true;
    }

    /// <summary>Queues each checked message for storing: to its receiver, or to quarantine with the reason.</summary>
    private void Route(Ispb sender, ReadOnlyMemory<byte> body, IcomExchange exchange, int count, bool isolated)
    {
        for (var i = 0; i < count; i++)
        {
            var xml = body[exchange.Parts[i].Content];
            var (result, header) = exchange.Checked[i];
            var bizMsgIdr = header.HasBizMsgIdr ? xml[header.BizMsgIdr] : default;
            var to = header.HasTo ? header.To : sender;
            // An isolated sender's messages are quarantined without a notice each, whatever else is wrong with them.
            var cause = isolated ? RejectionCause.Isolated
                : !result.Ok ? RejectionCause.Check
                : NotRoutable(sender, header) ? RejectionCause.NotRoutable
                : (RejectionCause?)null;
            var deliver = cause is null;
            if (!deliver) quarantine.Reject(exchange, i, cause!.Value, result, header);
            exchange.Appends.Add(new IncomingMessage(to, sender, bizMsgIdr, xml, deliver ? Disposition.Deliver : Disposition.Quarantine));
        }
    }

    /// <summary>Passes when one of the sender's certificates verifies the signature (several during a key rotation);
    /// otherwise the first one's verdict says why.</summary>
    private static CheckResult VerifySignature(ReadOnlySpan<byte> xml, ReadOnlySpan<SignerCertificate> signers)
    {
        if (signers.IsEmpty) return SignatureVerifier.NoCertificate;
        var first = SignatureVerifier.Verify(xml, signers[0]);
        for (var i = 1; i < signers.Length && !first.Ok; i++)
        {
            if (SignatureVerifier.Verify(xml, signers[i]).Ok) return CheckResult.Success;
        }
        return first;
    }

    // Only the SPI may address any participant; a PSP sends to the SPI.
    private static bool NotRoutable(Ispb sender, in AppHeader header) =>
        sender != Ispb.Spi && (header.HasTo ? header.To : sender) != Ispb.Spi;

    private const int BacklogRetryAfterSeconds = 1;

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
