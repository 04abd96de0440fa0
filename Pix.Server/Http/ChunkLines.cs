namespace Pix.Server.Http;

/// <summary>
/// The chunk-size line of a chunked body (RFC 9112 7.1), found by <see cref="LineScanner"/>. Chunk sizes are hex
/// with an overflow check; extensions are checked and ignored.
/// </summary>
internal static class ChunkLines
{
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
            if (j == line.Length || line[j] != (byte)';')
            {
                // "1x" is a bad size; "2 junk" or a trailing space is a bad extension.
                return j == i ? RequestError.InvalidChunkSize : RequestError.InvalidChunkExtension;
            }
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
}
