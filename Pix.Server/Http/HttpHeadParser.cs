using System.Text;

namespace Pix.Server.Http;

/// <summary>
/// Parses a request head (optional empty lines, request line, header section) from one contiguous span, strictly:
/// every line ends with CRLF (a bare CR or LF is an error, never a line break), header names are tokens directly
/// followed by ':', values hold no control character but HTAB, and a line starting with white space (obs-fold) is
/// refused. Lenient parsers that repair these are what request smuggling feeds on.
/// </summary>
internal static class HttpHeadParser
{
    public static ParseStatus Parse(ReadOnlySpan<byte> data, HttpRequest request, HttpLimits limits,
        ref RequestFraming framing, out int headLength, out RequestError error)
    {
        request.Reset();
        framing.Reset();
        headLength = 0;

        var pos = SkipEmptyLines(data, limits, out var status, out error);
        if (status != ParseStatus.Complete) return status;

        var lf = data[pos..].IndexOf((byte)'\n');
        if (lf < 0) return data.Length >= limits.MaxRequestLineBytes ? Fail(RequestError.RequestLineTooLong, out error) : ParseStatus.Incomplete;
        var lineEnd = pos + lf;
        if (lineEnd + 1 > limits.MaxRequestLineBytes) return Fail(RequestError.RequestLineTooLong, out error);
        if (lf == 0 || data[lineEnd - 1] != (byte)'\r') return Fail(RequestError.BareLineFeed, out error);
        error = RequestLineParser.Parse(data[pos..(lineEnd - 1)], request);
        if (error != RequestError.None) return ParseStatus.Error;

        pos = lineEnd + 1;
        var headersStart = pos;
        while (true)
        {
            var rest = data[pos..];
            lf = rest.IndexOf((byte)'\n');
            if (lf < 0) return data.Length - headersStart >= limits.MaxHeaderBytes ? Fail(RequestError.HeadersTooLarge, out error) : ParseStatus.Incomplete;
            if (pos + lf + 1 - headersStart > limits.MaxHeaderBytes) return Fail(RequestError.HeadersTooLarge, out error);
            if (lf == 0 || rest[lf - 1] != (byte)'\r') return Fail(RequestError.BareLineFeed, out error);
            var line = rest[..(lf - 1)];
            pos += lf + 1;
            if (line.IsEmpty) break;
            error = ParseHeaderLine(line, request, limits, ref framing);
            if (error != RequestError.None) return ParseStatus.Error;
        }

        error = Judge(request, limits, ref framing);
        if (error != RequestError.None) return ParseStatus.Error;
        headLength = pos;
        return ParseStatus.Complete;
    }

    /// <summary>RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line; they count
    /// against the request-line limit so a stream of CRLF cannot keep the connection busy for free.</summary>
    private static int SkipEmptyLines(ReadOnlySpan<byte> data, HttpLimits limits, out ParseStatus status, out RequestError error)
    {
        var pos = 0;
        error = RequestError.None;
        while (pos < data.Length && (data[pos] == (byte)'\r' || data[pos] == (byte)'\n'))
        {
            if (data[pos] == (byte)'\n') { status = Fail(RequestError.BareLineFeed, out error); return pos; }
            if (pos + 1 == data.Length) break;
            if (data[pos + 1] != (byte)'\n') { status = Fail(RequestError.BareCarriageReturn, out error); return pos; }
            pos += 2;
            if (pos >= limits.MaxRequestLineBytes) { status = Fail(RequestError.RequestLineTooLong, out error); return pos; }
        }
        status = pos < data.Length && data[pos] != (byte)'\r' ? ParseStatus.Complete : ParseStatus.Incomplete;
        return pos;
    }

    /// <summary>Checks one field line (without its CRLF) and splits it; also used for chunked trailers.</summary>
    public static RequestError ValidateFieldLine(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        if (HttpCharacters.IsWhitespace(line[0])) return RequestError.LeadingWhitespace;
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return RequestError.InvalidHeaderName;
        name = line[..colon];
        if (!HttpCharacters.IsToken(name)) return RequestError.InvalidHeaderName;
        var raw = line[(colon + 1)..];
        if (!HttpCharacters.IsFieldValue(raw)) return RequestError.InvalidHeaderValue;
        value = HttpCharacters.TrimWhitespace(raw);
        return RequestError.None;
    }

    private static RequestError ParseHeaderLine(ReadOnlySpan<byte> line, HttpRequest request, HttpLimits limits, ref RequestFraming framing)
    {
        var error = ValidateFieldLine(line, out var name, out var value);
        if (error != RequestError.None) return error;

        var header = HeaderName.Classify(name);
        switch (header)
        {
            case HeaderName.Unlisted when limits.ForwardedCertificateHeader is { } forwarded && HeaderName.IsForwarded(name, forwarded, out var kept):
                request.SetHeader(kept, value);
                return RequestError.None;
            case HeaderName.Unlisted:
                request.HasUnlistedHeader = true;
                // Not an ICOM header, but clients send it: answering 100 spares them a wait (RFC 9110 10.1.1).
                if (Ascii.EqualsIgnoreCase(name, "Expect"u8) && Ascii.EqualsIgnoreCase(value, "100-continue"u8)) framing.ExpectContinue = true;
                return RequestError.None;
            case HeaderName.Ignored:
                return RequestError.None;
            case KnownHeader.Host:
                if (++framing.HostCount > 1) return RequestError.DuplicateHost;
                if (!HttpCharacters.IsUriPart(value, HttpCharacters.Authority)) return RequestError.InvalidHost;
                break;
            case KnownHeader.ContentLength:
                // RFC 9110 8.6 lets a recipient accept identical repeats; a strict server refuses any repeat.
                if (++framing.ContentLengthCount > 1) return RequestError.DuplicateContentLength;
                if (!ContentLengthParser.TryParse(value, out framing.ContentLength)) return RequestError.InvalidContentLength;
                break;
            case KnownHeader.TransferEncoding:
                framing.HasTransferEncoding = true;
                TransferCodings(value, ref framing);
                break;
            case KnownHeader.Connection:
                ConnectionOptions(value, ref framing);
                break;
        }
        request.SetHeader(header, value);
        return RequestError.None;
    }

    /// <summary>Counts the codings in order; empty list elements are skipped as RFC 9110 5.6.1 asks.</summary>
    private static void TransferCodings(ReadOnlySpan<byte> value, ref RequestFraming framing)
    {
        foreach (var range in value.Split((byte)','))
        {
            var coding = HttpCharacters.TrimWhitespace(value[range]);
            if (coding.IsEmpty) continue;
            if (Ascii.EqualsIgnoreCase(coding, "chunked"u8))
            {
                framing.ChunkedCount++;
                framing.ChunkedIsLast = true;
            }
            else
            {
                framing.OtherCodingCount++;
                framing.ChunkedIsLast = false;
            }
        }
    }

    private static void ConnectionOptions(ReadOnlySpan<byte> value, ref RequestFraming framing)
    {
        foreach (var range in value.Split((byte)','))
        {
            var option = HttpCharacters.TrimWhitespace(value[range]);
            if (Ascii.EqualsIgnoreCase(option, "close"u8)) framing.ConnectionClose = true;
            else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) framing.ConnectionKeepAlive = true;
        }
    }

    /// <summary>The rules that need the whole header section: Host (RFC 9112 3.2) and framing (RFC 9112 6).</summary>
    private static RequestError Judge(HttpRequest request, HttpLimits limits, ref RequestFraming framing)
    {
        if (!request.IsHttp10 && framing.HostCount == 0) return RequestError.MissingHost;
        if (framing.HasTransferEncoding)
        {
            // RFC 9112 6.1: both is a smuggling attempt; in HTTP/1.0 Transfer-Encoding is faulty framing.
            if (framing.HasContentLength) return RequestError.ContentLengthAndTransferEncoding;
            if (request.IsHttp10) return RequestError.TransferEncodingInHttp10;
            if (!framing.ChunkedIsLast) return RequestError.ChunkedNotFinal;
            if (framing.ChunkedCount > 1) return RequestError.ChunkedTwice;
            if (framing.OtherCodingCount > 0) return RequestError.UnsupportedTransferCoding;
        }
        if (framing.HasContentLength && framing.ContentLength > limits.MaxBodyBytes) return RequestError.BodyTooLarge;

        request.HasBodyFraming = framing.HasContentLength || framing.HasTransferEncoding;
        request.KeepAlive = !framing.ConnectionClose && (!request.IsHttp10 || framing.ConnectionKeepAlive);
        return RequestError.None;
    }

    private static ParseStatus Fail(RequestError reason, out RequestError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
