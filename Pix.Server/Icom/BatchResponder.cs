using System.Buffers;
using Pix.Protocol.Ids;
using Pix.Protocol.Media;
using Pix.Protocol.Multipart;
using Pix.Protocol.Streams;
using Pix.Server.Http;
using Pix.Server.Quarantine;
using Pix.Storage;

namespace Pix.Server.Icom;

/// <summary>
/// Writes a stream read's answer: 200 with the batch (one XML body, or multipart/mixed) or 204, each with
/// <c>PI-Pull-Next</c>. Payloads are copied once, from the store straight into the response buffer (with gzip they go
/// through one scratch buffer first). A stored message the store found damaged (its checksum failed, or it could not
/// be read) is left out, quarantined, and counted in <c>Pix-Skipped</c>; the healthy ones still go.
/// </summary>
internal sealed class BatchResponder(MultipartWriter multipart, PullTokenCodec tokens, Gzip gzip, QuarantineDesk quarantine)
{
    /// <summary>Room for the status line and every header this writer sends.</summary>
    private const int HeadRoom = 1024;
    private static ReadOnlySpan<byte> XmlContentType => "application/xml; charset=utf-8"u8;
    private static ReadOnlySpan<byte> NextPrefix => "/api/v1/out/"u8;

    public void Write(HttpResponse response, IcomExchange exchange, PullToken next, ResponseMode mode, bool compress)
    {
        var batch = exchange.Batch;
        var skipped = exchange.Skipped;
        skipped.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch.IsDamaged(i)) skipped.Add(i);
        }
        var asMultipart = mode == ResponseMode.Multipart || batch.Count > 1;
        if (compress && batch.Count > 0)
        {
            WriteCompressed(response, exchange, next, asMultipart);
        }
        else
        {
            response.BeginStaged(HeadRoom + (batch.Count == 0 ? 0 : (int)Measure(batch, skipped, true, exchange.Lengths)));
            WriteStaged(response, exchange, next, asMultipart);
            response.CommitStaged();
        }
        ReportSkipped(next.Ispb, batch, skipped);
    }

    private void WriteStaged(HttpResponse response, IcomExchange exchange, PullToken next, bool asMultipart)
    {
        var batch = exchange.Batch;
        var skipped = exchange.Skipped;
        var healthy = batch.Count - skipped.Count;
        WriteHead(response, next, healthy, skipped.Count, batch, skipped, asMultipart);
        if (healthy == 0)
        {
            response.EndHeaders(0);
            return;
        }
        response.EndHeaders(Measure(batch, skipped, asMultipart, exchange.Lengths));
        WriteBody(response, batch, skipped, asMultipart);
    }

    private void WriteCompressed(HttpResponse response, IcomExchange exchange, PullToken next, bool asMultipart)
    {
        var batch = exchange.Batch;
        var skipped = exchange.Skipped;
        exchange.Body.ResetWrittenCount();
        WriteBody(exchange.Body, batch, skipped, asMultipart);
        var healthy = batch.Count - skipped.Count;
        WriteHead(response, next, healthy, skipped.Count, batch, skipped, asMultipart);
        if (healthy == 0)
        {
            response.EndHeaders(0);
            return;
        }
        gzip.Compress(exchange.Body.WrittenSpan, exchange.Compressed);
        response.Header("Content-Encoding"u8, "gzip"u8);
        response.Header("Vary"u8, "Accept-Encoding"u8);
        response.EndHeaders(exchange.Compressed.WrittenCount);
        response.Write(exchange.Compressed.WrittenSpan);
    }

    private void WriteHead(HttpResponse response, PullToken next, int healthy, int skippedCount, MessageBatch batch, SkipSet skipped, bool asMultipart)
    {
        response.Start(healthy == 0 ? 204 : 200);
        WritePullNext(response, next);
        if (skippedCount > 0) response.Header("Pix-Skipped"u8, skippedCount);
        if (healthy == 0) return;
        if (asMultipart)
        {
            response.Header("Content-Type"u8, multipart.ContentType);
            return;
        }
        response.Header("Content-Type"u8, XmlContentType);
        Span<byte> id = stackalloc byte[ResourceId.TextLength];
        batch[skipped.FirstHealthy(batch.Count)].Id.WriteText(id);
        response.Header("PI-ResourceId"u8, id);
    }

    private void WritePullNext(HttpResponse response, PullToken next)
    {
        Span<byte> value = stackalloc byte[64 + PullTokenCodec.TextLength];
        NextPrefix.CopyTo(value);
        var length = NextPrefix.Length;
        next.Ispb.WriteTo(value[length..]);
        length += Ispb.Length;
        "/stream/"u8.CopyTo(value[length..]);
        length += 8;
        tokens.Write(next, value[length..]);
        length += PullTokenCodec.TextLength;
        response.Header("PI-Pull-Next"u8, value[..length]);
    }

    private long Measure(MessageBatch batch, SkipSet skipped, bool asMultipart, int[] lengths)
    {
        var count = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!skipped.Contains(i)) lengths[count++] = batch[i].Length;
        }
        if (!asMultipart) return count == 0 ? 0 : lengths[0];
        return multipart.Measure(lengths.AsSpan(0, count));
    }

    private void WriteBody(IBufferWriter<byte> output, MessageBatch batch, SkipSet skipped, bool asMultipart)
    {
        var part = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (skipped.Contains(i)) continue;
            if (asMultipart) multipart.WritePartHead(output, part, batch[i].Id);
            output.Write(batch.Payload(i));
            part++;
        }
        if (asMultipart && part > 0) multipart.WriteEnd(output);
    }

    private void ReportSkipped(Ispb receiver, MessageBatch batch, SkipSet skipped)
    {
        if (skipped.Count == 0) return;
        for (var i = 0; i < batch.Count; i++)
        {
            if (skipped.Contains(i)) quarantine.DamagedOnRead(receiver, batch[i]);
        }
    }
}
