using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Pix.Storage.Embedded;

/// <summary>
/// Reads the stored bytes of a claimed batch out of the log, checking each record's CRC on the way out. A queue's
/// messages mostly lie close together in one segment (a multipart POST is one run of records; other queues' records
/// and stream records fall in between), so records that follow each other in log order with small gaps are read as
/// one span, with one positional read into a pooled buffer, and each payload is copied from there: a 10-message
/// batch costs one system call instead of twenty. A record in another segment, before its predecessor (a moved
/// message), too far from it, or too large for a span starts a new span; a record larger than a span on its own is
/// read as before, its frame and fixed fields and then its payload straight into the batch.
/// </summary>
internal sealed class PayloadReader(SegmentFiles segments, ILogger logger)
{
    /// <summary>Bytes of other records read over rather than paying another system call: copying 4 KiB out of the
    /// page cache costs about what one <c>pread</c> does.</summary>
    internal const int MaxGapBytes = 4 * 1024;

    /// <summary>The most one read brings in (ten 8 KiB messages fit with room); a larger batch takes more reads.</summary>
    internal const int MaxSpanBytes = 256 * 1024;

    /// <summary>Adds each message to <paramref name="into"/> with its bytes, or marked damaged when its record fails its
    /// CRC or cannot be read.</summary>
    public void ReadBatch(ReadOnlySpan<StoredMessage> messages, MessageBatch into)
    {
        var first = 0;
        while (first < messages.Length)
        {
            var end = SpanEnd(messages, first, out var start, out var length);
            if (length > MaxSpanBytes)
            {
                // One record larger than a span: straight into the batch, no copy through a buffer of its size.
                AddAlone(messages[first], into);
            }
            else
            {
                ReadSpan(messages[first..end], start, (int)length, into);
            }
            first = end;
        }
    }

    /// <summary>One record read on its own (frame and fixed fields, then the payload into <paramref name="destination"/>),
    /// its CRC over both. A failing read is tried once more, then the message counts as damaged (left out of the
    /// answer and audited) rather than failing every redelivery.</summary>
    public bool TryReadAlone(in StoredMessage message, Span<byte> destination)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                Span<byte> prefix = stackalloc byte[MessageRecord.PayloadOffset];
                segments.Read(RecordStart(message), prefix);
                var payload = destination[..message.Length];
                segments.Read(message.Position, payload);
                return LogRecordFrame.IsIntact(prefix, payload);
            }
            catch (Exception ex) when (IsReadFailure(ex))
            {
                if (attempt > 0)
                {
                    logger.LogError(ex, "Could not read stored message {ResourceId}", message.Id.ToString());
                    return false;
                }
            }
        }
    }

    /// <summary>Where the span that starts at <paramref name="first"/> ends (exclusive), and the log bytes it covers.</summary>
    internal static int SpanEnd(ReadOnlySpan<StoredMessage> messages, int first, out long start, out long length)
    {
        start = RecordStart(messages[first]);
        var end = RecordEnd(messages[first]);
        var next = first + 1;
        for (; next < messages.Length; next++)
        {
            var recordStart = RecordStart(messages[next]);
            var recordEnd = RecordEnd(messages[next]);
            // Positions pack the segment above the offset: one segment is checked apart, then offsets compare directly.
            if (LogPosition.SegmentOf(recordStart) != LogPosition.SegmentOf(start)
                || recordStart < end
                || recordStart - end > MaxGapBytes
                || recordEnd - start > MaxSpanBytes)
            {
                break;
            }
            end = recordEnd;
        }
        length = end - start;
        return next;
    }

    private void ReadSpan(ReadOnlySpan<StoredMessage> messages, long start, int length, MessageBatch into)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan(0, length);
            try
            {
                segments.Read(start, span);
            }
            catch (Exception ex) when (IsReadFailure(ex))
            {
                // Each record on its own, with its own retry: a bad spot on the disk costs only the messages on it.
                foreach (ref readonly var message in messages) AddAlone(message, into);
                return;
            }
            foreach (ref readonly var message in messages)
            {
                var record = span.Slice((int)(RecordStart(message) - start), MessageRecord.PayloadOffset + message.Length);
                record[MessageRecord.PayloadOffset..].CopyTo(into.Add(message));
                if (!LogRecordFrame.IsIntact(record)) into.MarkDamaged(into.Count - 1);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void AddAlone(in StoredMessage message, MessageBatch into)
    {
        if (!TryReadAlone(message, into.Add(message))) into.MarkDamaged(into.Count - 1);
    }

    private static long RecordStart(in StoredMessage message) => message.Position - MessageRecord.PayloadOffset;

    private static long RecordEnd(in StoredMessage message) => message.Position + message.Length;

    private static bool IsReadFailure(Exception ex) => ex is IOException or UnauthorizedAccessException or ArgumentException;
}
