using System.Buffers;

namespace Pix.Server.Http;

/// <summary>
/// RFC 9112 7.1: chunk sizes in hex with an overflow check, extensions checked against the grammar and bounded,
/// chunk data followed by exactly CRLF, trailer fields checked like headers and discarded. Run twice per request:
/// once to measure (nothing copied while bytes are still arriving), then once to copy into the body buffer.
/// </summary>
internal static class ChunkedBodyParser
{
    public static ParseStatus Parse(ref SequenceReader<byte> reader, HttpLimits limits, byte[] lineBuffer,
        Span<byte> destination, out long bodyLength, out RequestError error)
    {
        bodyLength = 0;
        while (true)
        {
            var status = ReadLine(ref reader, limits.MaxChunkLineBytes, lineBuffer, RequestError.ChunkLineTooLong, out var line, out error);
            if (status != ParseStatus.Complete) return status;
            error = ParseSizeLine(line, out var size);
            if (error != RequestError.None) return ParseStatus.Error;

            if (size == 0) return ParseTrailers(ref reader, limits, lineBuffer, out error);

            if (size > limits.MaxBodyBytes - bodyLength) return Fail(RequestError.BodyTooLarge, out error);
            if (reader.Remaining < size) return ParseStatus.Incomplete;
            if (!destination.IsEmpty) reader.UnreadSequence.Slice(0, size).CopyTo(destination[(int)bodyLength..]);
            reader.Advance(size);
            bodyLength += size;

            if (reader.Remaining < 2)
            {
                return reader.Remaining == 1 && reader.UnreadSpan[0] != (byte)'\r'
                    ? Fail(RequestError.InvalidChunkTerminator, out error)
                    : ParseStatus.Incomplete;
            }
            if (!reader.IsNext("\r\n"u8, advancePast: true)) return Fail(RequestError.InvalidChunkTerminator, out error);
        }
    }

    private static ParseStatus ParseTrailers(ref SequenceReader<byte> reader, HttpLimits limits, byte[] lineBuffer, out RequestError error)
    {
        var start = reader.Consumed;
        while (true)
        {
            var room = limits.MaxTrailerBytes - (int)(reader.Consumed - start);
            var status = ReadLine(ref reader, Math.Min(room, lineBuffer.Length), lineBuffer, RequestError.TrailersTooLarge, out var line, out error);
            if (status != ParseStatus.Complete) return status;
            if (line.IsEmpty) return ParseStatus.Complete;
            error = HttpHeadParser.ValidateFieldLine(line, out _, out _);
            if (error != RequestError.None) return Fail(RequestError.InvalidTrailer, out error);
        }
    }

    /// <summary>Reads up to LF; the line must end with CR, which is cut off. Lines that span segments are copied
    /// into <paramref name="lineBuffer"/> (per connection), never into a new array.</summary>
    private static ParseStatus ReadLine(ref SequenceReader<byte> reader, int maxLength, byte[] lineBuffer,
        RequestError tooLong, out ReadOnlySpan<byte> line, out RequestError error)
    {
        line = default;
        error = RequestError.None;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, (byte)'\n'))
        {
            return reader.Remaining >= maxLength ? Fail(tooLong, out error) : ParseStatus.Incomplete;
        }
        if (sequence.Length + 1 > maxLength) return Fail(tooLong, out error);
        if (sequence.IsSingleSegment)
        {
            line = sequence.FirstSpan;
        }
        else
        {
            sequence.CopyTo(lineBuffer);
            line = lineBuffer.AsSpan(0, (int)sequence.Length);
        }
        if (line.IsEmpty || line[^1] != (byte)'\r') return Fail(RequestError.BareLineFeed, out error);
        line = line[..^1];
        return ParseStatus.Complete;
    }

    /// <summary><c>chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )</c>.</summary>
    public static RequestError ParseSizeLine(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        var i = 0;
        for (; i < line.Length; i++)
        {
            var digit = HttpCharacters.HexValue(line[i]);
            if (digit < 0) break;
            if (size > long.MaxValue >> 4) return RequestError.InvalidChunkSize;
            size = (size << 4) | (long)digit;
        }
        if (i == 0) return RequestError.InvalidChunkSize;

        while (i < line.Length)
        {
            var j = SkipWhitespace(line, i);
            if (j == line.Length || line[j] != (byte)';') return j == i && line[j] != (byte)';' ? RequestError.InvalidChunkSize : RequestError.InvalidChunkExtension;
            j = SkipWhitespace(line, j + 1);
            var nameLength = TokenLength(line[j..]);
            if (nameLength == 0) return RequestError.InvalidChunkExtension;
            i = j + nameLength;
            j = SkipWhitespace(line, i);
            if (j < line.Length && line[j] == (byte)'=')
            {
                j = SkipWhitespace(line, j + 1);
                var valueLength = j < line.Length && line[j] == (byte)'"' ? QuotedStringLength(line[j..]) : TokenLength(line[j..]);
                if (valueLength == 0) return RequestError.InvalidChunkExtension;
                i = j + valueLength;
            }
        }
        return RequestError.None;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && HttpCharacters.IsWhitespace(line[i])) i++;
        return i;
    }

    private static int TokenLength(ReadOnlySpan<byte> span)
    {
        var end = span.IndexOfAnyExcept(HttpCharacters.Token);
        return end < 0 ? span.Length : end;
    }

    /// <summary>RFC 9110 5.6.4; returns the length including both quotes, or 0 when malformed or unterminated.</summary>
    private static int QuotedStringLength(ReadOnlySpan<byte> span)
    {
        for (var i = 1; i < span.Length; i++)
        {
            var b = span[i];
            if (b == (byte)'"') return i + 1;
            if (b == (byte)'\\')
            {
                if (++i == span.Length || !IsQuotedPairByte(span[i])) return 0;
            }
            else if (!IsQuotedTextByte(b))
            {
                return 0;
            }
        }
        return 0;
    }

    private static bool IsQuotedTextByte(byte b) => b is (byte)'\t' or (byte)' ' or 0x21 or (>= 0x23 and <= 0x5B) or (>= 0x5D and <= 0x7E) or >= 0x80;

    private static bool IsQuotedPairByte(byte b) => b is (byte)'\t' or (>= 0x20 and <= 0x7E) or >= 0x80;

    private static ParseStatus Fail(RequestError reason, out RequestError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
