using Pix.Protocol.Media;

namespace Pix.Protocol.Multipart;

/// <summary>
/// Splits a <c>multipart/mixed</c> body (RFC 2046) into its parts without copying: each part must carry
/// <c>Content-Type: application/xml</c> (charset UTF-8 if given). Preamble and epilogue are ignored.
/// </summary>
public static class MultipartReader
{
    public static MultipartStatus Read(ReadOnlySpan<byte> body, ReadOnlySpan<byte> boundary, Span<MultipartPart> parts, out int count)
    {
        count = 0;
        if (boundary.IsEmpty || boundary.Length > 70) return MultipartStatus.Malformed;

        // The first delimiter may open the body or follow a preamble after a CRLF.
        int position;
        if (body.StartsWith("--"u8) && body[2..].StartsWith(boundary))
        {
            position = 2 + boundary.Length;
        }
        else
        {
            var first = FindDelimiter(body, 0, boundary);
            if (first < 0) return MultipartStatus.Malformed;
            position = first + 4 + boundary.Length;
        }
        while (true)
        {
            if (body[position..].StartsWith("--"u8)) return count == 0 ? MultipartStatus.Empty : MultipartStatus.Ok;
            position = SkipTransportPadding(body, position);
            if (!body[position..].StartsWith("\r\n"u8)) return MultipartStatus.Malformed;
            position += 2;

            var headerStatus = ReadPartHeaders(body, ref position);
            if (headerStatus != MultipartStatus.Ok) return headerStatus;

            var next = FindDelimiter(body, position, boundary);
            if (next < 0) return MultipartStatus.Malformed;
            if (count == parts.Length) return MultipartStatus.TooManyParts;
            parts[count++] = new MultipartPart(new Range(position, next));
            position = next + 4 + boundary.Length; // CRLF -- boundary
        }
    }

    private static MultipartStatus ReadPartHeaders(ReadOnlySpan<byte> body, ref int position)
    {
        var sawXml = false;
        while (true)
        {
            var lineEnd = body[position..].IndexOf("\r\n"u8);
            if (lineEnd < 0) return MultipartStatus.Malformed;
            var line = body.Slice(position, lineEnd);
            position += lineEnd + 2;
            if (line.IsEmpty) return sawXml ? MultipartStatus.Ok : MultipartStatus.PartNotXml;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) return MultipartStatus.Malformed;
            if (!line[..colon].EqualsIgnoreCase("Content-Type"u8)) continue;
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!MediaNegotiation.MediaType(value).EqualsIgnoreCase("application/xml"u8)) return MultipartStatus.PartNotXml;
            if (!MediaNegotiation.CharsetIsUtf8OrAbsent(value)) return MultipartStatus.PartCharset;
            sawXml = true;
        }
    }

    // RFC 2046 allows linear white space after a delimiter, before its CRLF.
    private static int SkipTransportPadding(ReadOnlySpan<byte> body, int position)
    {
        while (position < body.Length && (body[position] == ' ' || body[position] == '\t')) position++;
        return position;
    }

    /// <summary>Index of the CRLF that starts the next <c>CRLF--boundary</c>, or -1.</summary>
    private static int FindDelimiter(ReadOnlySpan<byte> body, int from, ReadOnlySpan<byte> boundary)
    {
        var search = from;
        while (true)
        {
            var hit = body[search..].IndexOf("\r\n--"u8);
            if (hit < 0) return -1;
            var at = search + hit;
            if (body[(at + 4)..].StartsWith(boundary)) return at;
            search = at + 2;
        }
    }
}
