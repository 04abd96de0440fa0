using Microsoft.AspNetCore.Http.Features;

namespace Pix.Server.Http;

/// <summary>
/// One parsed request, owned by its connection and reused: every span points into buffers the connection keeps
/// until the response is complete, so a handler may await (a long poll) and still read them.
/// Header values are the raw bytes after optional white space is trimmed; empty when the header was absent.
/// </summary>
public sealed class HttpRequest
{
    private byte[] _target = new byte[256];
    private int _pathLength;
    private int _targetLength;
    private readonly byte[][] _headers = new byte[(int)KnownHeader.Count][];
    private readonly int[] _headerLengths = new int[(int)KnownHeader.Count];

    public HttpMethodKind Method { get; set; }

    /// <summary>HTTP/1.0 (true) or HTTP/1.1.</summary>
    public bool IsHttp10 { get; set; }

    /// <summary>Whether the connection stays open after this response (HTTP/1.1 default unless <c>Connection: close</c>).</summary>
    public bool KeepAlive { get; set; }

    /// <summary>A header outside ICOM's list was present (strict mode answers 400 invalidHeader).</summary>
    public bool HasUnlistedHeader { get; set; }

    /// <summary>The target was in absolute-form: <see cref="KnownHeader.Host"/> holds its authority, and the Host
    /// header line was checked but ignored (RFC 9112 3.2.2).</summary>
    public bool HasAbsoluteTarget { get; set; }

    /// <summary>The decoded body: Content-Length bytes, or the chunks joined. Not decompressed.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>Neither Content-Length nor chunked framing was sent.</summary>
    public bool HasBodyFraming { get; set; }

    /// <summary>The application admitted this request from its head while the body was still to come
    /// (<see cref="IHttpApplication.AdmitHead"/>): the caller's checks need not run again on the whole request.</summary>
    public bool AdmittedFromHead { get; set; }

    /// <summary>The connection's features (TLS, the caller's identity): the same object for every request of a connection.</summary>
    public IFeatureCollection? ConnectionFeatures { get; set; }

    /// <summary>Signalled when the peer closes the connection (a parked long poll then gives up).</summary>
    public CancellationToken Aborted { get; set; }

    /// <summary>The path part of the request target (before any '?').</summary>
    public ReadOnlySpan<byte> Path => _target.AsSpan(0, _pathLength);

    /// <summary>The query without '?', empty if none.</summary>
    public ReadOnlySpan<byte> Query => _pathLength < _targetLength ? _target.AsSpan(_pathLength + 1, _targetLength - _pathLength - 1) : default;

    public ReadOnlySpan<byte> Header(KnownHeader header) =>
        _headers[(int)header] is { } value ? value.AsSpan(0, _headerLengths[(int)header]) : default;

    public void SetTarget(ReadOnlySpan<byte> target)
    {
        if (target.Length > _target.Length) _target = new byte[Math.Max(target.Length, _target.Length * 2)];
        target.CopyTo(_target);
        _targetLength = target.Length;
        var query = target.IndexOf((byte)'?');
        _pathLength = query < 0 ? target.Length : query;
    }

    /// <summary>Stores an absolute-form target whose path is empty (<c>http://host?q</c>): the path becomes "/"
    /// (RFC 9112 3.2.2), <paramref name="query"/> is empty or starts with '?'.</summary>
    public void SetTargetWithRootPath(ReadOnlySpan<byte> query)
    {
        var length = query.Length + 1;
        if (length > _target.Length) _target = new byte[Math.Max(length, _target.Length * 2)];
        _target[0] = (byte)'/';
        query.CopyTo(_target.AsSpan(1));
        _targetLength = length;
        _pathLength = 1;
    }

    /// <summary>Stores a known header's value; a repeated header is joined with ", " as RFC 9110 allows for lists.</summary>
    public void SetHeader(KnownHeader header, ReadOnlySpan<byte> value)
    {
        var index = (int)header;
        var existing = _headerLengths[index];
        var needed = existing == 0 ? value.Length : existing + 2 + value.Length;
        var buffer = _headers[index];
        if (buffer is null || buffer.Length < needed)
        {
            var grown = new byte[Math.Max(64, needed * 2)];
            buffer?.AsSpan(0, existing).CopyTo(grown);
            _headers[index] = buffer = grown;
        }
        if (existing == 0)
        {
            value.CopyTo(buffer);
        }
        else
        {
            ", "u8.CopyTo(buffer.AsSpan(existing));
            value.CopyTo(buffer.AsSpan(existing + 2));
        }
        _headerLengths[index] = needed;
    }

    /// <summary>Forgets the previous request's values (buffers are kept).</summary>
    public void Reset()
    {
        Method = HttpMethodKind.Other;
        IsHttp10 = false;
        KeepAlive = true;
        HasUnlistedHeader = false;
        HasBodyFraming = false;
        HasAbsoluteTarget = false;
        AdmittedFromHead = false;
        Body = default;
        _pathLength = _targetLength = 0;
        Array.Clear(_headerLengths);
    }
}

/// <summary>The headers ICOM lists, plus the framing ones; every other header only sets <see cref="HttpRequest.HasUnlistedHeader"/>.</summary>
public enum KnownHeader
{
    Host,
    Accept,
    AcceptEncoding,
    Connection,
    ContentEncoding,
    ContentLength,
    ContentType,
    TransferEncoding,
    UserAgent,
    /// <summary>W3C Trace Context: accepted in strict mode too, so a PSP's traces reach into Pix.</summary>
    TraceParent,
    TraceState,
    /// <summary>Proxy mode only (<see cref="HttpLimits.ForwardedCertificateHeader"/>): the client certificate a TLS terminator forwards.</summary>
    ForwardedCertificate,
    /// <summary>Proxy mode only: X-Forwarded-For, the client address as the terminator saw it.</summary>
    ForwardedFor,
    Count,
}
