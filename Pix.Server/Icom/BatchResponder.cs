using System.Buffers;
using Pix.Protocol.Ids;
using Pix.Protocol.Media;
using Pix.Protocol.Multipart;
using Pix.Protocol.Streams;
using Pix.Server.Http;
using Pix.Storage;

namespace Pix.Server.Icom;

/// <summary>
/// Writes a stream read's answer: 200 with the batch (one XML body, or multipart/mixed) or 204, each with
/// <c>PI-Pull-Next</c>. Payloads are copied once, from the store straight into the response buffer; with gzip they
/// go through one scratch buffer first.
/// </summary>
internal sealed class BatchResponder(IQueueStore store, MultipartWriter multipart, PullTokenCodec tokens, Gzip gzip)
{
    private static ReadOnlySpan<byte> XmlContentType => "application/xml; charset=utf-8"u8;
    private static ReadOnlySpan<byte> NextPrefix => "/api/v1/out/"u8;

    public void Write(HttpResponse response, IcomExchange exchange, PullToken next, ResponseMode mode, bool compress)
    {
        var batch = exchange.Batch;
        var status = batch.Count == 0 ? 204 : 200;
        response.Start(status);
        WritePullNext(response, next);
        if (batch.Count == 0)
        {
            response.EndHeaders(0);
            return;
        }
        var asMultipart = mode == ResponseMode.Multipart || batch.Count > 1;
        if (asMultipart) response.Header("Content-Type"u8, multipart.ContentType);
        else
        {
            response.Header("Content-Type"u8, XmlContentType);
            Span<byte> id = stackalloc byte[ResourceId.TextLength];
            batch[0].Id.WriteText(id);
            response.Header("PI-ResourceId"u8, id);
        }

        if (!compress)
        {
            response.EndHeaders(Measure(batch, asMultipart, exchange.Lengths));
            WriteBody(response, batch, asMultipart);
            return;
        }
        WriteBody(exchange.Body, batch, asMultipart);
        gzip.Compress(exchange.Body.WrittenSpan, exchange.Compressed);
        response.Header("Content-Encoding"u8, "gzip"u8);
        response.Header("Vary"u8, "Accept-Encoding"u8);
        response.EndHeaders(exchange.Compressed.WrittenCount);
        response.Write(exchange.Compressed.WrittenSpan);
    }

    public static void WritePullNext(HttpResponse response, PullToken next, PullTokenCodec tokens)
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

    private void WritePullNext(HttpResponse response, PullToken next) => WritePullNext(response, next, tokens);

    private long Measure(MessageBatch batch, bool asMultipart, int[] lengths)
    {
        if (!asMultipart) return batch[0].Length;
        for (var i = 0; i < batch.Count; i++) lengths[i] = batch[i].Length;
        return multipart.Measure(lengths.AsSpan(0, batch.Count));
    }

    private void WriteBody(IBufferWriter<byte> output, MessageBatch batch, bool asMultipart)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var message = ref batch[i];
            if (asMultipart) multipart.WritePartHead(output, i, message.Id);
            var span = output.GetSpan(message.Length);
            store.ReadPayload(message, span[..message.Length]);
            output.Advance(message.Length);
        }
        if (asMultipart) multipart.WriteEnd(output);
    }
}
