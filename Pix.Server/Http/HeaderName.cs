using System.Text;

namespace Pix.Server.Http;

/// <summary>
/// Classifies a header name without allocating: a <see cref="KnownHeader"/> (stored on the request), one of the
/// ICOM-listed headers the server ignores (Cookie, Max-Forwards, Via), or an unlisted one. W3C Trace Context
/// (<c>traceparent</c>, <c>tracestate</c>) is not on ICOM's list but is known here, so strict mode lets it through.
/// </summary>
internal static class HeaderName
{
    /// <summary>Returned for Cookie, Max-Forwards and Via: accepted and dropped.</summary>
    public const KnownHeader Ignored = (KnownHeader)(-1);

    /// <summary>Returned for any header outside ICOM's list.</summary>
    public const KnownHeader Unlisted = (KnownHeader)(-2);

    public static KnownHeader Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when Is(name, "Via"u8) => Ignored,
        4 when Is(name, "Host"u8) => KnownHeader.Host,
        6 when Is(name, "Accept"u8) => KnownHeader.Accept,
        6 when Is(name, "Cookie"u8) => Ignored,
        10 when Is(name, "Connection"u8) => KnownHeader.Connection,
        10 when Is(name, "User-Agent"u8) => KnownHeader.UserAgent,
        10 when Is(name, "tracestate"u8) => KnownHeader.TraceState,
        11 when Is(name, "traceparent"u8) => KnownHeader.TraceParent,
        12 when Is(name, "Content-Type"u8) => KnownHeader.ContentType,
        12 when Is(name, "Max-Forwards"u8) => Ignored,
        14 when Is(name, "Content-Length"u8) => KnownHeader.ContentLength,
        15 when Is(name, "Accept-Encoding"u8) => KnownHeader.AcceptEncoding,
        16 when Is(name, "Content-Encoding"u8) => KnownHeader.ContentEncoding,
        17 when Is(name, "Transfer-Encoding"u8) => KnownHeader.TransferEncoding,
        _ => Unlisted,
    };

    /// <summary>Proxy mode: the terminator's client-certificate header (named by configuration) and X-Forwarded-For.</summary>
    public static bool IsForwarded(ReadOnlySpan<byte> name, ReadOnlySpan<byte> certificateHeader, out KnownHeader header)
    {
        header = Is(name, certificateHeader) ? KnownHeader.ForwardedCertificate
            : Is(name, "X-Forwarded-For"u8) ? KnownHeader.ForwardedFor
            : Unlisted;
        return header != Unlisted;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> known) => Ascii.EqualsIgnoreCase(name, known);
}
