using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;

namespace Pix.Bench.Ceiling;

/// <summary>
/// One connection of the ceiling: finds each request's end (the head's blank line, then Content-Length bytes of
/// body), and answers it with a recorded response, 201 for a POST and the 200 batch for anything else, byte for byte.
/// Every pipelined request in a read is answered, then one flush: the least an HTTP/1.1 server can do per request,
/// which is what Pix's own figures are divided by. No validation: it serves benchmarks, never clients.
/// </summary>
internal sealed class CeilingConnection(IDuplexPipe transport, RecordedResponses responses)
{
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> ContentLength => "\ncontent-length:"u8;

    public async Task RunAsync()
    {
        var input = transport.Input;
        var output = transport.Output;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                while (TryTake(ref buffer, out var post)) output.Write(post ? responses.Created : responses.Batch);
                input.AdvanceTo(buffer.Start, buffer.End);
                var flush = await output.FlushAsync();
                if (result.IsCompleted || flush.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The client went away mid-request: nothing to answer.
        }
        await input.CompleteAsync();
        await output.CompleteAsync();
    }

    /// <summary>Takes one whole request off the front of <paramref name="buffer"/>; false until one has arrived.</summary>
    private static bool TryTake(ref ReadOnlySequence<byte> buffer, out bool post)
    {
        post = false;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeadEnd)) return false;
        post = head.FirstSpan.Length > 0 && head.FirstSpan[0] == (byte)'P';
        var length = post ? BodyLength(head) : 0;
        if (reader.Remaining < length) return false;
        reader.Advance(length);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static long BodyLength(in ReadOnlySequence<byte> head)
    {
        // Heads are small: a multi-segment one (rare) is copied to the stack to be searched in one piece.
        Span<byte> copy = stackalloc byte[head.IsSingleSegment ? 0 : (int)Math.Min(head.Length, 8192)];
        ReadOnlySpan<byte> text = head.IsSingleSegment ? head.FirstSpan : copy;
        if (!head.IsSingleSegment) head.Slice(0, copy.Length).CopyTo(copy);
        for (var at = text.IndexOf((byte)'\n'); at >= 0 && at + ContentLength.Length <= text.Length;)
        {
            var line = text[at..];
            if (Ascii.EqualsIgnoreCase(line[..ContentLength.Length], ContentLength))
            {
                var value = line[ContentLength.Length..].TrimStart((byte)' ');
                return Utf8Parser.TryParse(value, out long length, out _) ? length : 0;
            }
            var next = line[1..].IndexOf((byte)'\n');
            at = next < 0 ? -1 : at + 1 + next;
        }
        return 0;
    }
}
