namespace Pix.Server.Http;

/// <summary>
/// Size limits of the HTTP/1.1 connection layer. Each limit is checked while bytes arrive, so a client cannot make
/// the server buffer more than the limit before it is answered (414, 431 or 413) and the connection is closed.
/// </summary>
internal sealed class HttpLimits
{
    /// <summary>The request line including its CRLF (and any empty lines before it); longer gets 414.</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>The header section including the empty line that ends it; larger gets 431.</summary>
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>The framed body (Content-Length, or the sum of the chunk sizes); larger gets 413.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>One chunk-size line with its extensions; longer gets 400 (extensions are allowed but bounded).</summary>
    public int MaxChunkLineBytes { get; set; } = 1024;

    /// <summary>The trailer section of a chunked body (parsed and discarded); larger gets 431.</summary>
    public int MaxTrailerBytes { get; set; } = 8 * 1024;

    /// <summary>How long an idle connection waits for the first byte of its next request before it is closed
    /// (Kestrel's HTTP engine, which would enforce its own, does not run behind this layer).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>How long a request may take to arrive whole (head and body) once its first byte came; a slow
    /// sender (slowloris) is disconnected then.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one flush of responses may wait for the client to read them; a client that stops reading
    /// is dropped then, and what it holds (buffered responses, its parked request) is freed.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Behind a TLS terminator (<c>Pix:Tls:Mode proxy</c>): the name of the header carrying the client
    /// certificate. It and <c>X-Forwarded-For</c> are then kept on the request (<see cref="KnownHeader.ForwardedCertificate"/>,
    /// <see cref="KnownHeader.ForwardedFor"/>) instead of counting as unlisted headers, even with strict headers on.</summary>
    public byte[]? ForwardedCertificateHeader { get; set; }

    /// <summary>Throws on values the layer cannot work with; called once when the handler is built, so a bad
    /// configuration stops the host at start instead of failing connections.</summary>
    public void Validate()
    {
        // The body is one array.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBodyBytes, Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestLineBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHeaderBytes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunkLineBytes, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrailerBytes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAliveTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WriteTimeout, TimeSpan.Zero);
    }
}
