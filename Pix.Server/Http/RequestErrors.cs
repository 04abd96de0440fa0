using Pix.Protocol.Problems;

namespace Pix.Server.Http;

/// <summary>Status, problem type and English detail of each <see cref="RequestError"/>, as UTF-8 literals.</summary>
internal static class RequestErrors
{
    public static int Status(RequestError error) => error switch
    {
        RequestError.RequestLineTooLong => 414,
        RequestError.HeadersTooLarge or RequestError.TrailersTooLarge => 431,
        RequestError.BodyTooLarge => 413,
        // RFC 9112 6.1: a coding the server does not understand SHOULD get 501.
        RequestError.UnsupportedTransferCoding => 501,
        // RFC 9110 15.6.6: a well-formed but unsupported major version.
        RequestError.UnsupportedVersion => 505,
        _ => 400,
    };

    public static Problem Problem(RequestError error) => error switch
    {
        RequestError.UnsupportedTransferCoding => Pix.Protocol.Problems.Problem.NotImplemented,
        RequestError.UnsupportedVersion => Pix.Protocol.Problems.Problem.HttpVersionNotSupported,
        RequestError.RequestLineTooLong => Pix.Protocol.Problems.Problem.UriTooLong,
        RequestError.HeadersTooLarge or RequestError.TrailersTooLarge => Pix.Protocol.Problems.Problem.HeadersTooLarge,
        RequestError.BodyTooLarge => Pix.Protocol.Problems.Problem.PayloadTooLarge,
        RequestError.LeadingWhitespace or RequestError.InvalidHeaderName or RequestError.InvalidHeaderValue
            or RequestError.MissingHost or RequestError.DuplicateHost or RequestError.InvalidHost
            => Pix.Protocol.Problems.Problem.InvalidHeader,
        _ => Pix.Protocol.Problems.Problem.BadRequest,
    };

    public static ReadOnlySpan<byte> Detail(RequestError error) => error switch
    {
        RequestError.BareLineFeed => "A line ends with LF without CR."u8,
        RequestError.BareCarriageReturn => "A CR is not followed by LF."u8,
        RequestError.InvalidRequestLine => "The request line is not 'method SP target SP version'."u8,
        RequestError.InvalidMethod => "The method is not a token."u8,
        RequestError.InvalidTarget => "The request target is not a valid origin-form or absolute-form URI."u8,
        RequestError.InvalidVersion => "The HTTP version is malformed."u8,
        RequestError.UnsupportedVersion => "Only HTTP/1.1 and HTTP/1.0 are supported."u8,
        RequestError.RequestLineTooLong => "The request line is longer than the limit."u8,
        RequestError.HeadersTooLarge => "The header section is larger than the limit."u8,
        RequestError.LeadingWhitespace => "A header line starts with white space (obsolete line folding)."u8,
        RequestError.InvalidHeaderName => "A header name is not a token, or white space precedes the colon."u8,
        RequestError.InvalidHeaderValue => "A header value holds a control character."u8,
        RequestError.MissingHost => "An HTTP/1.1 request must carry Host."u8,
        RequestError.DuplicateHost => "Host appears more than once."u8,
        RequestError.InvalidHost => "The Host value is not a valid authority."u8,
        RequestError.InvalidContentLength => "Content-Length is not a decimal number that fits."u8,
        RequestError.DuplicateContentLength => "Content-Length appears more than once."u8,
        RequestError.ContentLengthAndTransferEncoding => "Both Content-Length and Transfer-Encoding were sent."u8,
        RequestError.ChunkedNotFinal => "Transfer-Encoding must end with chunked."u8,
        RequestError.ChunkedTwice => "chunked appears more than once in Transfer-Encoding."u8,
        RequestError.UnsupportedTransferCoding => "Only the chunked transfer coding is supported."u8,
        RequestError.TransferEncodingInHttp10 => "Transfer-Encoding is not allowed in an HTTP/1.0 request."u8,
        RequestError.InvalidChunkSize => "A chunk size is not hexadecimal or does not fit."u8,
        RequestError.InvalidChunkExtension => "A chunk extension is malformed."u8,
        RequestError.ChunkLineTooLong => "A chunk-size line is longer than the limit."u8,
        RequestError.InvalidChunkTerminator => "Chunk data is not followed by CRLF."u8,
        RequestError.InvalidTrailer => "A trailer field is malformed."u8,
        RequestError.TrailersTooLarge => "The trailer section is larger than the limit."u8,
        RequestError.BodyTooLarge => "The body is larger than the limit."u8,
        _ => "The request is malformed."u8,
    };
}
