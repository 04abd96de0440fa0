namespace Pix.Protocol.Problems;

/// <summary>The kinds of error ICOM names in its RFC 7807 bodies, with their status and short Portuguese title.</summary>
public enum Problem : byte
{
    BadRequest,
    InvalidHeader,
    Charset,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    Gone,
    LengthRequired,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    /// <summary>421: the ISPB is owned by another region (regions).</summary>
    Misdirected,
    TooManyRequests,
    HeadersTooLarge,
    ServiceUnavailable,
    InternalError,
    NotImplemented,
    HttpVersionNotSupported,
    /// <summary>401: no verified client certificate (behind a TLS terminator: none forwarded, or not from a trusted address).</summary>
    Unauthorized,
}
